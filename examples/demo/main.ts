/**
 * `npm start`: enqueues a few jobs as a web request handler would, runs a worker that prints each
 * job's lifecycle, waits for the results, prints a summary and stops. In a real app the web server
 * and the worker are separate processes that import the same tasks.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobHandle } from 'errand';
import { app, buildReport, resizeAvatar, sendWelcomeEmail } from './tasks.ts';

const startedAt = performance.now();
const say = (line: string) =>
  console.log(`${((performance.now() - startedAt) / 1000).toFixed(2).padStart(6)}s  ${line}`);
const name = (job: Job) => `${job.task} #${job.id}`;

const worker = app.worker({ concurrency: 4 });
worker.on('started', (job) => say(`started    ${name(job)} (attempt ${job.attempt} of ${job.maxAttempts})`));
worker.on('retrying', (job, error, retryAt) => {
  const wait = ((retryAt.getTime() - Date.now()) / 1000).toFixed(1);
  say(`retrying   ${name(job)}: ${error.message}; next attempt in ${wait} s`);
});
worker.on('succeeded', (job, result) => say(`succeeded  ${name(job)} -> ${JSON.stringify(result)}`));
worker.on('failed', (job, error) => say(`failed     ${name(job)}: ${error.name}: ${error.message}`));
await worker.start();

// What a sign-up route does: hand the slow work to the queue and answer the browser at once.
async function onSignUp(user: { id: number; email: string; name: string; avatar: string }) {
  return [
    await sendWelcomeEmail.enqueue({ to: user.email, name: user.name }),
    await resizeAvatar.enqueue({ userId: user.id, url: user.avatar }),
  ];
}

const ada = { id: 1, email: 'ada@example.com', name: 'Ada', avatar: 'https://cdn.example/ada.png' };
const alan = { id: 2, email: 'alan@example.com', name: 'Alan', avatar: 'https://cdn.example/alan.gif' };
const handles: JobHandle[] = [...(await onSignUp(ada)), ...(await onSignUp(alan))];
const report = await buildReport.enqueue({ month: '2025-06' });
handles.push(report);
say(`enqueued   ${handles.length} jobs`);

// A request with bad input is refused at enqueue, with a message that says what is wrong.
await sendWelcomeEmail
  .enqueue({ to: 'not-an-email', name: 'Bob' })
  .catch((error: Error) => say(`refused    ${error.message}`));

// A progress bar would poll the job's status like this.
async function followProgress(handle: JobHandle): Promise<void> {
  let shown: unknown;
  for (let job = await handle.status(); job && !job.finishedAt; job = await handle.status()) {
    if (job.progress !== undefined && job.progress !== shown) {
      shown = job.progress;
      say(`progress   ${name(job)}: ${Math.round(Number(job.progress) * 100)}%`);
    }
    await sleep(100);
  }
}

const [outcomes] = await Promise.all([
  Promise.allSettled(handles.map((handle) => handle.result())),
  followProgress(report),
]);

console.log('\nSummary:');
const counts = new Map<string, number>();
for (const [index, handle] of handles.entries()) {
  const job = (await handle.status())!;
  const outcome = outcomes[index]!;
  const why = outcome.status === 'rejected' ? ` (${(outcome.reason as Error).message})` : '';
  console.log(`  ${name(job).padEnd(22)} ${job.state} after ${job.attempt} attempt(s)${why}`);
  counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
}
console.log(`  ${[...counts].map(([state, count]) => `${count} ${state}`).join(', ')}`);

await worker.stop();
await app.close();
