// A claim commits without waiting for the WAL flush (migration 005), and that setting ends with the
// claim's transaction: an app that shares its pool with errand keeps durable commits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import type { Backend } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { sqlStatement } from '../../packages/postgres/src/sql.ts';
import { newJob } from '../contract/helpers.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

const claimValues = (limit: number) => [
  ['t'],
  null,
  [],
  limit,
  Date.now(),
  'lease',
  Date.now() + 60_000,
  'w',
];

describe('postgres: the claim commit', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schema = testSchemaName();
  // One connection, so every statement below runs on the session the claims ran on.
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  let backend: Backend;

  before(async () => {
    backend = postgresBackend({ pool, schema });
    await backend.init();
  });

  after(async () => {
    await backend?.close();
    await pool.end();
    await dropSchema(schema);
  });

  async function setting(client: pg.Pool | pg.PoolClient): Promise<string> {
    const { rows } = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    return rows[0]!.synchronous_commit;
  }

  it('a claim’s transaction does not wait for the flush', async () => {
    await backend.insert([newJob({ task: 't' }), newJob({ task: 't' })]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      assert.equal(await setting(client), 'on');
      const { rows } = await client.query(sqlStatement('claim.sql', 'claim-jobs', schema), claimValues(1));
      assert.equal(rows.length, 1);
      assert.equal(
        await setting(client),
        'off',
        'the claim switched its transaction to an asynchronous commit',
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });

  it('the app’s session keeps synchronous commits after errand’s claims on its pool', async () => {
    const claimed = await backend.claim({
      queues: null,
      tasks: ['t'],
      limit: 5,
      workerId: 'w',
      leaseToken: 'lease-2',
      leaseUntil: Date.now() + 60_000,
      now: Date.now(),
    });
    assert.equal(claimed.length, 1, 'the job left by the first test');
    assert.equal(await setting(pool), 'on');
  });
});
