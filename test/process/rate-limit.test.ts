// Rate and concurrency limits across three worker processes on one file, measured from the handlers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleLogger, createErrand, type Errand, type Job } from '@errand/core';
import { CONCURRENCY, flowTasks, RATE } from './fixtures/flow-tasks.ts';
import {
  readRecords,
  spawnFixture,
  stopAll,
  tempStore,
  waitFor,
  type Fixture,
  type Store,
} from './flow-helpers.ts';

const PROCESSES = 3;
const PERIOD_MS = 1_000;

/** Runs PROCESSES workers in `mode` on a fresh store holding the jobs `enqueue` adds, until `done`. */
async function withWorkers(
  mode: string,
  enqueue: (tasks: ReturnType<typeof flowTasks>) => Promise<unknown>,
  done: (store: Store) => boolean,
  check: (store: Store, app: Errand) => Promise<void>,
): Promise<void> {
  const store = tempStore();
  const app = createErrand({ backend: store.url, logger: consoleLogger('warn') });
  const workers: Fixture[] = [];
  try {
    await enqueue(flowTasks(app));
    workers.push(...Array.from({ length: PROCESSES }, () => spawnFixture('flow-worker', [mode], store)));
    await Promise.all(workers.map((worker) => worker.printed('ready')));
    await waitFor('every job to run', () => done(store), { timeoutMs: 30_000 });
    await stopAll(workers.splice(0));
    await check(store, app);
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await app.close();
    store.remove();
  }
}

/** The most values of sorted `times` in any window [t, t + widthMs) that starts at one of them. */
function busiestWindow(times: readonly number[], widthMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; first < times.length; first++) {
    while (last < times.length && times[last]! < times[first]! + widthMs) last++;
    most = Math.max(most, last - first);
  }
  return most;
}

async function finishedJobs(app: Errand): Promise<Job[]> {
  const page = await app.jobs({ limit: 500 });
  assert.equal(page.next, null);
  return page.jobs;
}

describe(`across ${PROCESSES} worker processes`, () => {
  it(`a rate limit of ${RATE.max} per ${RATE.per} holds in every window`, async (t) => {
    const JOBS = 100;
    type Start = { job: string; at: number; pid: number };
    await withWorkers(
      'rate',
      ({ send }) => send.enqueueMany(Array.from({ length: JOBS }, (_, n) => n)),
      (store) => readRecords(store).length >= JOBS,
      async (store, app) => {
        const starts = readRecords<Start>(store);
        assert.equal(starts.length, JOBS, 'each job ran once');
        assert.equal(new Set(starts.map((start) => start.job)).size, JOBS);
        const jobs = await finishedJobs(app);
        assert.ok(jobs.every((job) => job.state === 'succeeded'));

        // The store limits starts by the time of each claim (a job's startedAt): at most RATE.max in
        // any window (t - 1 s, t]. Exactly, since these are the very clock readings it counted.
        const claimedAt = jobs.map((job) => job.startedAt!.getTime()).sort((a, b) => a - b);
        const mostClaimed = Math.max(
          ...claimedAt.map((end) => claimedAt.filter((at) => at > end - PERIOD_MS && at <= end).length),
        );
        assert.ok(mostClaimed <= RATE.max, `${mostClaimed} claims within ${PERIOD_MS} ms`);
        assert.equal(mostClaimed, RATE.max, 'the workers claimed as fast as the limit lets them');

        // A handler starts a little after its claim, each after its own delay (every process reads
        // the one clock of this machine). Starts in a window of 1 s minus the spread of those delays
        // come from claims less than 1 s apart, so they too are at most RATE.max.
        const claimOf = new Map(jobs.map((job) => [job.id, job.startedAt!.getTime()]));
        const delays = starts.map((start) => start.at - claimOf.get(start.job)!);
        const spread = Math.max(...delays) - Math.min(...delays);
        const startedAt = starts.map((start) => start.at).sort((a, b) => a - b);
        const mostStarted = busiestWindow(startedAt, PERIOD_MS - spread);
        assert.ok(mostStarted <= RATE.max, `${mostStarted} handler starts within ${PERIOD_MS - spread} ms`);
        // Which process takes the jobs is not asserted, only shown: the one that claimed polls (every
        // 200 ms) in step with the window its claim opened, so it often wins the next one too.
        const perProcess = new Map<number, number>();
        for (const { pid } of starts) perProcess.set(pid, (perProcess.get(pid) ?? 0) + 1);

        const seconds = (startedAt.at(-1)! - startedAt[0]!) / 1000;
        t.diagnostic(
          `${JOBS} starts over ${seconds.toFixed(2)} s; busiest window: ${mostClaimed} claims per ${PERIOD_MS} ms, ` +
            `${busiestWindow(startedAt, PERIOD_MS)} handler starts per ${PERIOD_MS} ms, ${mostStarted} per ` +
            `${PERIOD_MS - spread} ms; claim-to-handler delay ${Math.min(...delays)}-${Math.max(...delays)} ms; ` +
            `jobs per process: ${[...perProcess.values()].join(', ')}`,
        );
      },
    );
  });

  it(`a concurrency limit of ${CONCURRENCY} holds across processes`, async (t) => {
    const JOBS = 24;
    type Run = { job: string; start: number; end: number; pid: number };
    await withWorkers(
      'concurrency',
      ({ exportCsv }) => exportCsv.enqueueMany(Array.from({ length: JOBS }, (_, n) => n)),
      (store) => readRecords(store).length >= JOBS,
      async (store, app) => {
        const runs = readRecords<Run>(store);
        assert.equal(runs.length, JOBS, 'each job ran once');
        assert.equal(new Set(runs.map((run) => run.job)).size, JOBS);
        assert.ok((await finishedJobs(app)).every((job) => job.state === 'succeeded'));

        // A handler's [start, end] lies inside the time its job held a slot in the store (claimed
        // before the start, released after the end), so handlers overlap no more than slots do. At a
        // tie, the end came first: the next job was claimed only after this one was written as done.
        const events = runs
          .flatMap((run) => [
            { at: run.start, change: +1 },
            { at: run.end, change: -1 },
          ])
          .sort((a, b) => a.at - b.at || a.change - b.change);
        let running = 0;
        let most = 0;
        for (const event of events) most = Math.max(most, (running += event.change));
        assert.ok(most <= CONCURRENCY, `${most} handlers ran at once`);
        assert.equal(most, CONCURRENCY, 'the limit was reached');
        const processes = new Set(runs.map((run) => run.pid)).size;
        assert.ok(processes >= 2, 'more than one process ran jobs');
        t.diagnostic(`${JOBS} runs of 100 ms in ${processes} processes; at most ${most} at once`);
      },
    );
  });
});
