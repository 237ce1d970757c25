// A job enqueued by another process (this one) on the SQLite file starts in an idle worker
// process within its poll interval, and usually within milliseconds: the worker watches the
// database's -wal file, which every commit writes, and polling is only the safety net.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore, ready, runsOf, waitFor } from './helpers.ts';

const POLL_MS = 200;
/** Wake-ups from the file: the typical start, with room for a noisy shared machine. */
const TYPICAL_MS = 50;
/**
 * A shared 2-core machine under load has delayed a start past the poll interval by scheduling alone
 * (238 and 493 ms seen at load averages 5-7): the bound allows that and still fails a worker that
 * stops polling; the p50 check below is the one that fails when the file wake-ups do not work.
 */
const SCHEDULING_SLACK_MS = 500;
const JOBS = 20;

test(`a job enqueued from another process starts within the poll interval (${POLL_MS} ms)`, async (t) => {
  const store = openStore();
  try {
    const worker = store.startWorker({ pollInterval: `${POLL_MS}ms` });
    await ready(worker);
    const latencies: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      // Spaced out by uneven gaps, so the enqueues land all over the worker's poll cycle.
      await sleep(50 + ((i * 73) % 200));
      const enqueuedAt = Date.now();
      const handle = await store.tasks.quick.enqueue({ n: i });
      await waitFor(`job ${handle.id} to start`, () => runsOf(store.runs(), handle.id).length > 0, {
        timeoutMs: 5_000,
        everyMs: 5,
      });
      latencies.push(runsOf(store.runs(), handle.id)[0]!.at - enqueuedAt);
    }
    const sorted = [...latencies].sort((x, y) => x - y);
    const p50 = sorted[Math.floor(sorted.length / 2)]!;
    const max = sorted.at(-1)!;
    t.diagnostic(
      `enqueue -> started over ${JOBS} jobs: p50 ${p50} ms, max ${max} ms (${latencies.join(', ')})`,
    );
    assert.ok(
      max <= POLL_MS + SCHEDULING_SLACK_MS,
      `the slowest start took ${max} ms (all: ${latencies.join(', ')})`,
    );
    assert.ok(p50 <= TYPICAL_MS, `p50 ${p50} ms: the file wake-ups did not wake the worker`);

    worker.kill('SIGTERM');
    assert.equal((await worker.exited).code, 0, worker.stderr());
  } finally {
    await store.dispose();
  }
});
