/**
 * The worker process: runs the demo's tasks and fires its schedules, and says in the terminal what
 * happens to each job. `npm start` (main.ts) starts it; in a real deployment it runs on its own,
 * as `errand worker examples/demo/tasks/implementations.ts` would.
 */
import type { Job } from 'errand';
import app from './tasks/implementations.ts';

const say = (line: string) => console.log(`worker | ${line}`);
const name = (job: Job) => `${job.task} #${job.id}`;

// Emails must not wait behind two long exports, and exports are limited to two at once anyway.
const worker = app.worker({ concurrency: 4 });
worker.on('retrying', (job, error, retryAt) => {
  const wait = ((retryAt.getTime() - Date.now()) / 1000).toFixed(1);
  say(`${name(job)} attempt ${job.attempt} failed (${error.message}); retrying in ${wait} s`);
});
worker.on('succeeded', (job) => say(`${name(job)} succeeded (attempt ${job.attempt})`));
worker.on('failed', (job, error) => say(`${name(job)} failed for good: ${error.message}`));
await worker.start();

let stopping = false;
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${why}: stopping; running jobs get 5 s, the rest go back to the queue`);
  await worker.stop({ grace: '5s' });
  await app.close();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
// main.ts talks to this process over IPC; if main.ts dies without a word, the channel closes.
process.on('disconnect', () => void stop('the web process is gone'));
