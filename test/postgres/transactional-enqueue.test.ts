// Enqueue in the app's own transaction: the job exists if and only if the transaction commits, and
// its commit (not the insert) wakes a worker in another app.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import type { Errand, Task } from '@errand/core';

import { skipUnlessReachable } from '../support/services.ts';
import { buildApp, type Tasks } from './fixtures/tasks.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

describe(
  'postgres: enqueue in the caller’s transaction',
  { skip: await skipUnlessReachable(POSTGRES_URL) },
  () => {
    const schema = testSchemaName();
    const appPool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
    appPool.on('error', () => undefined);
    let producer: { app: Errand; tasks: Tasks };
    let consumer: { app: Errand; tasks: Tasks };

    before(async () => {
      producer = buildApp({ url: POSTGRES_URL, schema });
      consumer = buildApp({ url: POSTGRES_URL, schema });
      await producer.app.stats();
      await appPool.query(`CREATE TABLE "${schema}".orders (id serial PRIMARY KEY, item text NOT NULL)`);
    });

    after(async () => {
      await producer.app.close();
      await consumer.app.close();
      await appPool.end();
      await dropSchema(schema);
    });

    /** Runs `body` on a pooled client inside BEGIN; commits when `commit` is true, else rolls back. */
    async function inTransaction<T>(
      commit: boolean,
      body: (client: pg.PoolClient) => Promise<T>,
    ): Promise<T> {
      const client = await appPool.connect();
      try {
        await client.query('BEGIN');
        const value = await body(client);
        await client.query(commit ? 'COMMIT' : 'ROLLBACK');
        return value;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    }

    async function placeOrder(client: pg.PoolClient, task: Task<{ n: number }, null>, item: string) {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "${schema}".orders (item) VALUES ($1) RETURNING id`,
        [item],
      );
      return task.enqueue({ n: rows[0]!.id }, { tx: client });
    }

    it('a rollback leaves neither the order nor the job, and wakes nobody', async () => {
      let woken = 0;
      const unsubscribe = await (await consumer.app.storage()).wakeups!.subscribe(() => woken++);
      try {
        const handle = await inTransaction(false, (client) =>
          placeOrder(client, producer.tasks.noop, 'rolled back'),
        );
        assert.equal(await handle.status(), null, 'the job is gone with the transaction');
        const { rows } = await appPool.query(`SELECT * FROM "${schema}".orders WHERE item = 'rolled back'`);
        assert.deepEqual(rows, []);
        await sleep(200);
        assert.equal(woken, 0, 'a rolled-back NOTIFY is never delivered');
      } finally {
        await unsubscribe();
      }
    });

    it('a commit delivers exactly one job, and wakes an idle worker of another app at once', async (t) => {
      const started: { id: string; at: number }[] = [];
      consumer.app.implement(consumer.tasks.noop, (_input, { jobId }) => {
        started.push({ id: jobId, at: performance.now() });
        return null;
      });
      // Another app, so the only way to hear of the job is the NOTIFY; polling every 10 s would be too late.
      const worker = consumer.app.worker({ pollInterval: '10s', concurrency: 2 });
      await worker.start();
      try {
        await sleep(100); // idle, waiting on its doorbell
        const handle = await inTransaction(true, (client) =>
          placeOrder(client, producer.tasks.noop, 'committed'),
        );
        const committedAt = performance.now();
        assert.equal(await handle.result({ timeout: '5s' }), null);
        assert.deepEqual(
          started.map((start) => start.id),
          [handle.id],
          'the job ran exactly once',
        );
        const latency = started[0]!.at - committedAt;
        t.diagnostic(`commit to start: ${latency.toFixed(2)} ms`);
        assert.ok(latency < 1_000, `the worker started the job ${latency.toFixed(0)} ms after the commit`);
        const jobs = await producer.app.jobs({ task: 'noop' });
        assert.deepEqual(
          jobs.jobs.map((job) => [job.id, job.state, job.attempt]),
          [[handle.id, 'succeeded', 1]],
        );
      } finally {
        await worker.stop();
      }
    });

    it('refuses a tx that is not a client inside a transaction, and stores nothing', async () => {
      const before = await producer.app.stats();
      await assert.rejects(producer.tasks.noop.enqueue({ n: 1 }, { tx: appPool }), /tx is a pg\.Pool/);
      const client = await appPool.connect();
      try {
        await assert.rejects(
          producer.tasks.noop.enqueue({ n: 1 }, { tx: client }),
          /tx is not in a transaction/,
        );
        await client.query('BEGIN');
        await client.query('SELECT 1/0').catch(() => undefined);
        await assert.rejects(producer.tasks.noop.enqueue({ n: 1 }, { tx: client }), /has already failed/);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      await assert.rejects(producer.tasks.noop.enqueue({ n: 1 }, { tx: 'client' }), /tx must be a pg client/);
      assert.deepEqual(await producer.app.stats(), before);
    });

    it('joins a transaction on a client whose pg cannot report its status, through a savepoint', async () => {
      const client = await appPool.connect();
      // As with pg before 8.21, or pg-native: no transaction status.
      const legacy = {
        query: (...args: unknown[]) => (client.query as (...a: unknown[]) => unknown).apply(client, args),
      };
      try {
        await assert.rejects(
          producer.tasks.noop.enqueue({ n: 2 }, { tx: legacy }),
          /tx must be in a transaction/,
        );
        await client.query('BEGIN');
        const handle = await producer.tasks.noop.enqueue({ n: 2 }, { tx: legacy });
        await client.query('ROLLBACK');
        assert.equal(await handle.status(), null);
      } finally {
        client.release();
      }
    });
  },
);
