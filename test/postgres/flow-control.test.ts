// Flow control (unique keys, rate and concurrency limits, schedules) across several backends, each
// with a pool of its own, as in several worker processes; and the migration from schema version 1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, beforeEach, describe, it } from 'node:test';

import pg from 'pg';

import type { Backend, ClaimRequest, NewUniqueJob } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { newJob } from '../contract/helpers.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

const NOW = 1_000_000;
const PROCESSES = 4;

const uniqueJob = (key: string): NewUniqueJob => ({
  ...newJob(),
  uniqueKey: key,
  uniqueStates: ['queued', 'scheduled', 'running'],
  uniqueUntil: null,
});

let claims = 0;
const claim = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  queues: null,
  tasks: ['send-email'],
  limit: 10,
  workerId: 'w',
  leaseToken: `token-${++claims}`,
  leaseUntil: NOW + 30_000,
  now: NOW,
  ...overrides,
});

describe('postgres: flow control across processes', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  let schema: string;
  let backends: Backend[];
  const appPool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  appPool.on('error', () => undefined);
  after(() => appPool.end());

  beforeEach(async () => {
    schema = testSchemaName();
    backends = Array.from({ length: PROCESSES }, () =>
      postgresBackend({ connectionString: POSTGRES_URL, schema, poolSize: 3 }),
    );
    for (const backend of backends) await backend.init();
  });

  afterEach(async () => {
    for (const backend of backends) await backend.close();
    await dropSchema(schema);
  });

  it('concurrent insertUnique calls of one key from every process create one job', async () => {
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        backends[n % PROCESSES]!.insertUnique(uniqueJob('k'), { now: NOW }),
      ),
    );
    assert.equal(results.filter((result) => result.created).length, 1);
    assert.equal(new Set(results.map((result) => result.id)).size, 1);
  });

  it("an insertUnique in a caller's open transaction holds the key until it commits", async () => {
    const client = await appPool.connect();
    try {
      await client.query('BEGIN');
      const mine = await backends[0]!.insertUnique(uniqueJob('k'), { now: NOW, tx: client });
      assert.equal(mine.created, true);
      let settled = false;
      const other = backends[1]!.insertUnique(uniqueJob('k'), { now: NOW }).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(settled, false, 'the other insertUnique waits for the key');
      await client.query('COMMIT');
      assert.deepEqual(await other, { id: mine.id, created: false });
    } finally {
      client.release();
    }
  });

  it("a new job of an insertUnique in a caller's transaction wakes workers when it commits", async () => {
    const woken: string[][] = [];
    const unsubscribe = await backends[1]!.wakeups!.subscribe((queues) => woken.push([...queues]));
    const client = await appPool.connect();
    try {
      await client.query('BEGIN');
      await backends[0]!.insertUnique(uniqueJob('k'), { now: NOW, tx: client });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(woken, [], 'nobody is woken before the commit');
      await client.query('COMMIT');
      for (let waited = 0; woken.length === 0 && waited < 5_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(woken, [['default']]);
    } finally {
      client.release();
      await unsubscribe();
    }
  });

  it('an insertUnique in a REPEATABLE READ transaction is refused, storing nothing', async () => {
    const client = await appPool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await assert.rejects(
        backends[0]!.insertUnique(uniqueJob('k'), { now: NOW, tx: client }),
        /REPEATABLE READ transaction.*READ COMMITTED/,
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    assert.equal((await backends[0]!.list({ limit: 10 })).jobs.length, 0);
  });

  it('concurrent rate-limited claims from every process start at most max jobs', async () => {
    await backends[0]!.insert(Array.from({ length: 50 }, () => newJob()));
    const rate = { key: 'mail', max: 7, periodMs: 1_000 };
    const claimed = await Promise.all(
      Array.from({ length: 16 }, (_, n) => backends[n % PROCESSES]!.claim(claim({ limit: 3, rate }))),
    );
    assert.equal(claimed.flat().length, 7);
    assert.equal(new Set(claimed.flat().map((record) => record.id)).size, 7);
  });

  it('concurrent concurrency-limited claims from every process keep each key under max', async () => {
    const keys = ['a', 'b', 'c'];
    await backends[0]!.insert(Array.from({ length: 60 }, (_, n) => newJob({ concurrencyKey: keys[n % 3]! })));
    await backends[0]!.insert(Array.from({ length: 5 }, () => newJob()));
    const claimed = await Promise.all(
      Array.from({ length: 16 }, (_, n) =>
        backends[n % PROCESSES]!.claim(claim({ limit: 4, concurrency: { max: 2 } })),
      ),
    );
    const perKey = new Map<string | null, number>();
    for (const record of claimed.flat()) {
      perKey.set(record.concurrencyKey, (perKey.get(record.concurrencyKey) ?? 0) + 1);
    }
    assert.deepEqual(
      [...perKey].sort(([a], [b]) => String(a).localeCompare(String(b))),
      [
        ['a', 2],
        ['b', 2],
        ['c', 2],
        [null, 5],
      ],
    );
  });

  it('concurrent fires of one tick from every process fire it once', async () => {
    await backends[0]!.recordSchedules(
      [{ name: 'nightly', task: 'send-email', spec: '{}', payload: '{}' }],
      NOW,
    );
    const fired = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        backends[n % PROCESSES]!.fireSchedule({ name: 'nightly', tick: NOW, jobs: [newJob()] }),
      ),
    );
    assert.equal(fired.filter((ids) => ids !== null).length, 1);
    assert.equal((await backends[0]!.list({ limit: 100 })).jobs.length, 1);
  });
});

describe('postgres: migrating a version 1 schema', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schema = testSchemaName();
  after(() => dropSchema(schema));

  it('keeps its jobs, with no keys and no cancel request, and claims them', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const v1 = readFileSync(
        new URL('../../packages/postgres/src/sql/migrations/001_jobs.sql', import.meta.url),
        'utf8',
      );
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(v1.replace(/\berrand(?=[.;])/g, `"${schema}"`));
      await client.query(
        `CREATE TABLE "${schema}".schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
         INSERT INTO "${schema}".schema_version (version) VALUES (1);
         INSERT INTO "${schema}".jobs (task, queue, state, priority, payload, max_attempts, run_at, created_at)
         VALUES ('send-email', 'default', 'queued', 0, '{}', 3, ${NOW}, ${NOW})`,
      );
    } finally {
      await client.end();
    }
    const backend = postgresBackend({ connectionString: POSTGRES_URL, schema });
    try {
      await backend.init();
      const [old] = (await backend.list({ limit: 10 })).jobs;
      assert.equal(old?.uniqueKey, null);
      assert.equal(old.concurrencyKey, null);
      assert.equal(old.cancelRequested, false);
      const [claimed] = await backend.claim(claim());
      assert.equal(claimed?.id, old.id);
      assert.equal(await backend.requestCancel(old.id), true);
      assert.deepEqual(await backend.cancelRequested([old.id]), [old.id]);
    } finally {
      await backend.close();
    }
  });
});
