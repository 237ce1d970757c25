/**
 * The worker process the benchmark spawns: one errand worker on the store the parent filled, so the
 * producer and the worker do not share a process (except for a memory store, which cannot be shared:
 * then this process enqueues the jobs itself, untimed, before its worker starts).
 *
 * Input: a WorkerRun as JSON in the first argument. Output: one WorkerReport as a JSON line on stdout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { consoleLogger, createErrand, type Errand } from 'errand';
import type { WorkerReport, WorkerRun } from './child.ts';
import { enqueueInBatches, NOOP_TASK, noopInputs, type NoopInput } from './noop.ts';
import { startProfile } from './profiler.ts';

/** How long an idle worker runs before its idle CPU is counted: start-up is not idling. */
const SETTLE_MS = 500;

const run = JSON.parse(process.argv[2] ?? '') as WorkerRun;
const app = createErrand({ backend: run.url, logger: consoleLogger('warn') });
const noop = app.task(NOOP_TASK, (_input: NoopInput) => null);
if (run.produce) await enqueueInBatches(noop, noopInputs(run.jobs), 1_000);
// Open the store before the clock starts: the file's schema check is not the worker's throughput.
await app.storage();

const report = run.mode === 'drain' ? await drain(app) : await idle(app);
process.stdout.write(`${JSON.stringify(report)}\n`, () => {
  // Exit at once: worker.stop() leaves its grace-period timer (10 s) running, which would hold the process.
  process.exit(0);
});

async function drain(app: Errand): Promise<WorkerReport> {
  const worker = app.worker({ concurrency: run.concurrency });
  let succeeded = 0;
  let failed = 0;
  let resolve!: () => void;
  const finished = new Promise<void>((done) => (resolve = done));
  const settle = () => {
    if (succeeded + failed === run.jobs) resolve();
  };
  worker.on('succeeded', () => {
    succeeded++;
    settle();
  });
  worker.on('failed', (job, error) => {
    failed++;
    process.stderr.write(`job ${job.id} failed: ${error.message}\n`);
    settle();
  });
  const stopProfile = run.profileFile === undefined ? null : await startProfile();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await worker.start();
  await finished;
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  await stopProfile?.(run.profileFile!);
  await worker.stop();
  return { elapsedMs, cpuMs: (cpu.user + cpu.system) / 1_000, ...(await finish(app)) };
}

async function idle(app: Errand): Promise<WorkerReport> {
  const worker = app.worker({ concurrency: run.concurrency });
  await worker.start();
  await sleep(SETTLE_MS);
  const stopProfile = run.profileFile === undefined ? null : await startProfile();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await sleep(run.idleMs);
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  await stopProfile?.(run.profileFile!);
  await worker.stop();
  return { elapsedMs, cpuMs: (cpu.user + cpu.system) / 1_000, ...(await finish(app)) };
}

/** Counts the outcome as the store sees it, and closes it. */
async function finish(app: Errand): Promise<Pick<WorkerReport, 'maxRssKb' | 'succeeded' | 'failed'>> {
  const maxRssKb = process.resourceUsage().maxRSS;
  const counts = await app.stats();
  const count = (state: string) =>
    counts.filter((group) => group.state === state).reduce((sum, group) => sum + group.count, 0);
  await app.close();
  return { maxRssKb, succeeded: count('succeeded'), failed: count('failed') };
}
