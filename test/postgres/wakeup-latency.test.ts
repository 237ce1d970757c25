// LISTEN/NOTIFY: an idle worker in another process starts a job within milliseconds of its enqueue,
// with polling far too slow to explain it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import pg from 'pg';

import { skipUnlessReachable } from '../support/services.ts';
import { buildApp } from './fixtures/tasks.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';
import { killAll, startWorker, type StartLine, type WorkerProcess } from './worker-processes.ts';

const JOBS = 200;
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('postgres: wake-ups across processes', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  it(
    `an idle worker starts each of ${JOBS} jobs within milliseconds of the commit`,
    { timeout: 60_000 },
    async (t) => {
      const schema = testSchemaName();
      const { app, tasks } = buildApp({ url: POSTGRES_URL, schema });
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
      pool.on('error', () => undefined);
      const workers: WorkerProcess[] = [];
      try {
        await app.stats();
        // Polling once a minute: only a NOTIFY can start a job within the test's bounds.
        const worker = startWorker({ url: POSTGRES_URL, schema, concurrency: 1, pollInterval: '60s' });
        workers.push(worker);
        await worker.ready;
        const client = await pool.connect();
        let waiting: { id: string; resolve: (line: StartLine) => void } | null = null;
        const early = new Map<string, StartLine>();
        worker.onStart((line) => {
          if (waiting?.id === line.id) waiting.resolve(line);
          else early.set(line.id, line);
        });
        const started = (id: string) =>
          early.get(id) ??
          new Promise<StartLine>((resolve) => {
            waiting = { id, resolve };
          });

        /** Enqueues one job the way `how` says, and returns ms from its commit to its start. */
        async function once(how: 'transaction' | 'plain', n: number): Promise<number> {
          let id: string;
          let committedAt: number;
          if (how === 'transaction') {
            await client.query('BEGIN');
            ({ id } = await tasks.noop.enqueue({ n }, { tx: client }));
            await client.query('COMMIT');
            committedAt = now();
          } else {
            // The insert commits on its own before enqueue() returns, then the core sends the NOTIFY.
            const before = now();
            ({ id } = await tasks.noop.enqueue({ n }));
            committedAt = before;
          }
          return (await started(id)).at - committedAt;
        }

        try {
          for (const how of ['transaction', 'plain'] as const) {
            const latencies: number[] = [];
            for (let n = 0; n < JOBS; n++) {
              latencies.push(await once(how, n));
              // Let the worker record the outcome and go back to sleep on its doorbell.
              await new Promise((resolve) => setTimeout(resolve, 2));
            }
            latencies.sort((a, b) => a - b);
            const [p50, p99, max] = [percentile(latencies, 50), percentile(latencies, 99), latencies.at(-1)!];
            t.diagnostic(
              `${how} enqueue to start, ${JOBS} jobs: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ` +
                `max ${max.toFixed(2)} ms`,
            );
            assert.ok(p50 < 20, `p50 ${p50.toFixed(1)} ms`);
            assert.ok(p99 < 250, `p99 ${p99.toFixed(1)} ms`);
          }
        } finally {
          client.release();
        }
      } finally {
        await killAll(workers);
        await pool.end();
        await app.close();
        await dropSchema(schema);
      }
    },
  );
});
