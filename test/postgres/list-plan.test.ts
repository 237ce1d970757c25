// list() pages through an index for every filter (no sequential scan, no sort of a whole state,
// no walk down the primary key in the hope of meeting a match), whatever the statistics say, so a
// page deep in a million jobs costs what the first page costs; finishedCounts() reads an index range.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import type { Backend, NewJob } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { sqlStatement } from '../../packages/postgres/src/sql.ts';
import { skipUnlessReachable } from '../support/services.ts';
import {
  assertPagedThroughIndexes,
  describePlan,
  explainList,
  extentOf,
  nodes,
  type ListValues,
  type PlanNode,
} from './list-explain.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

const ALL_STATES = ['scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

describe('postgres: the list query plans', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schema = testSchemaName();
  let backend: Backend;
  let client: pg.Client;

  before(async () => {
    backend = postgresBackend({ connectionString: POSTGRES_URL, schema });
    await backend.init();
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    // Statistics taken while the table was empty, as on a store that just went live.
    await client.query(`ANALYZE "${schema}".jobs`);
    // 40,000 jobs of two tasks in two queues, most of them succeeded, a few failed, 20 running;
    // and 40 of a rare task in a rare queue, spread among them.
    const job = (n: number): NewJob => ({
      task: n % 1_000 === 1 ? 'rare' : n % 2 === 0 ? 'send-email' : 'resize-image',
      queue: n % 1_000 === 1 ? 'rare' : n % 3 === 0 ? 'mail' : 'media',
      state: 'queued',
      priority: 0,
      payload: '{}',
      maxAttempts: 1,
      runAt: 0,
      createdAt: 0,
    });
    for (let batch = 0; batch < 4; batch++) {
      await backend.insert(Array.from({ length: 10_000 }, (_, n) => job(n)));
    }
    await client.query(
      `UPDATE "${schema}".jobs SET state = CASE WHEN id % 500 = 1 THEN 'failed' ELSE 'succeeded' END,
         finished_at = id WHERE id % 10 <> 0`,
    );
    await client.query(
      `UPDATE "${schema}".jobs SET state = 'running', finished_at = NULL, lease_token = 't',
         lease_until = id WHERE id % 2000 = 5`,
    );
  });

  after(async () => {
    await client?.end();
    await backend?.close();
    await dropSchema(schema);
  });

  async function explain(file: string, name: string, values: unknown[]): Promise<PlanNode[]> {
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${sqlStatement(file, name, schema)}`,
      values,
    );
    return nodes(rows[0]!['QUERY PLAN'][0].Plan);
  }

  const cursor = '30000';
  // For each filter, the index a page must read for its selective part.
  const cases: [filter: string, values: ListValues, expected: string][] = [
    ['state (failed)', [['failed'], null, null, cursor, 51], 'jobs_list_finished_pairs'],
    ['state (succeeded)', [['succeeded'], null, null, cursor, 51], 'jobs_list_finished_pairs'],
    ['state (queued)', [['queued'], null, null, cursor, 51], 'jobs_list_waiting_pairs'],
    ['state (running)', [['running'], null, null, cursor, 51], 'jobs_leases'],
    ['a rare queue', [ALL_STATES, null, 'rare', cursor, 51], 'jobs_list_finished_pairs'],
    ['a common queue', [ALL_STATES, null, 'mail', cursor, 51], 'jobs_list_finished_pairs'],
    ['a rare task', [ALL_STATES, 'rare', null, cursor, 51], 'jobs_list_finished_pairs'],
    ['a common task', [ALL_STATES, 'send-email', null, cursor, 51], 'jobs_list_finished_pairs'],
    ['a queue and a task', [ALL_STATES, 'send-email', 'mail', cursor, 51], 'jobs_list_waiting_pairs'],
    [
      'a queue and a task it has none of',
      [ALL_STATES, 'rare', 'mail', cursor, 51],
      'jobs_list_finished_pairs',
    ],
    ['a common queue and a state', [['succeeded'], null, 'media', cursor, 51], 'jobs_list_finished_pairs'],
    [
      'a rare task, its queue and a state',
      [['succeeded'], 'rare', 'rare', cursor, 51],
      'jobs_list_finished_pairs',
    ],
  ];

  for (const statistics of ['stale', 'fresh'] as const) {
    describe(`with ${statistics} statistics`, () => {
      before(async () => {
        if (statistics === 'fresh') await client.query(`VACUUM ANALYZE "${schema}".jobs`);
      });

      for (const [filter, values, expected] of cases) {
        it(`filter by ${filter}: ordered index scans, small sorts`, async (t) => {
          const plan = await explainList(client, schema, values);
          t.diagnostic(`\n${describePlan(plan)}`);
          const entries = assertPagedThroughIndexes(plan, await extentOf(client, schema, values), 51);
          t.diagnostic(`list index entries read: ${entries}`);
          const indexes = nodes(plan).map((node) => node['Index Name']);
          assert.ok(indexes.includes(expected), `no read of ${expected}: ${indexes.join(', ')}`);
        });
      }
    });
  }

  it('no filter walks the primary key', async () => {
    const plan = await explain('list.sql', 'list-all', [cursor, 51]);
    assert.ok(plan.some((node) => node['Index Name'] === 'jobs_pkey' && node['Node Type'].includes('Index')));
    assert.ok(!plan.some((node) => node['Node Type'] === 'Seq Scan'));
  });

  it('finishedCounts reads a range of jobs_finished', async () => {
    const plan = await explain('reads.sql', 'finished-counts', [100, 200, 10]);
    assert.ok(plan.some((node) => node['Index Name'] === 'jobs_finished'));
    assert.ok(!plan.some((node) => node['Node Type'] === 'Seq Scan'));
  });

  it('pages of a rare filter come back in order and complete', async () => {
    const failed: string[] = [];
    let next: string | undefined;
    do {
      const page = await backend.list({ state: 'failed', task: 'send-email', limit: 7, before: next });
      failed.push(...page.jobs.map((job) => job.id));
      next = page.next ?? undefined;
    } while (next !== undefined);
    const { rows } = await client.query<{ id: string }>(
      `SELECT j.id::text FROM "${schema}".jobs AS j WHERE state = 'failed' AND task = 'send-email'
       ORDER BY j.id DESC`,
    );
    assert.deepEqual(
      failed,
      rows.map((row) => row.id),
    );
  });
});
