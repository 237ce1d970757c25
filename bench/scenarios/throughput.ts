/**
 * (b) and (c) Processing throughput and the worker's resources: one worker process, spawned for the
 * purpose, runs `jobs` queued no-op jobs at the given concurrency. Timed from worker.start() until the
 * last job's `succeeded` event; CPU is counted over the same window, peak RSS over the whole process.
 *
 * For a shared store (SQLite) the bench fills it first and the worker runs in its own process. A
 * memory store lives in one process, so there the worker process enqueues the jobs itself, untimed,
 * before its worker starts.
 */
import path from 'node:path';
import { consoleLogger, createErrand } from 'errand';
import { runWorkerProcess } from '../child.ts';
import { enqueueInBatches, NOOP_TASK, noopInputs, type NoopInput } from '../noop.ts';
import type { Target } from '../targets.ts';

export interface ThroughputOptions {
  jobs: number;
  concurrency: number;
  timeoutMs: number;
  /** Write a CPU profile of the worker's timed window into this folder. */
  profileDir?: string;
  runLabel: string;
}

export interface ThroughputResult {
  jobsPerSecond: number;
  cpuSecondsPer1000Jobs: number;
  maxRssKb: number;
}

export async function measureThroughput(
  target: Target,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const { jobs, concurrency } = options;
  const url = target.freshUrl(`drain-c${concurrency}`);
  if (!target.sharedProcess) await fill(url, jobs);
  const report = await runWorkerProcess(
    {
      mode: 'drain',
      url,
      jobs,
      produce: target.sharedProcess,
      concurrency,
      idleMs: 0,
      ...(options.profileDir && {
        profileFile: path.join(
          options.profileDir,
          `${target.name}-c${concurrency}-${options.runLabel}.cpuprofile`,
        ),
      }),
    },
    { timeoutMs: options.timeoutMs },
  );
  if (report.succeeded !== jobs || report.failed !== 0) {
    throw new Error(
      `${target.name}: expected ${jobs} succeeded jobs, the store has ${report.succeeded} succeeded and ${report.failed} failed`,
    );
  }
  return {
    jobsPerSecond: jobs / (report.elapsedMs / 1_000),
    cpuSecondsPer1000Jobs: report.cpuMs / 1_000 / (jobs / 1_000),
    maxRssKb: report.maxRssKb,
  };
}

async function fill(url: string, jobs: number): Promise<void> {
  const app = createErrand({ backend: url, logger: consoleLogger('warn') });
  try {
    await enqueueInBatches(app.declare<NoopInput>(NOOP_TASK), noopInputs(jobs), 1_000);
  } finally {
    await app.close();
  }
}
