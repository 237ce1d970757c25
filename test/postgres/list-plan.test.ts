// list() walks an index for every filter (no sequential scan, no sort of a whole state), so a
// page deep in a million jobs costs what the first page costs; finishedCounts() reads an index range.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import type { Backend, NewJob } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { sqlStatement } from '../../packages/postgres/src/sql.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

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
    // 40,000 jobs of two tasks in two queues, most of them succeeded, a few failed; and 40 of a
    // rare task in a rare queue, spread among them.
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
      `UPDATE "${schema}".jobs SET state = CASE WHEN id % 500 = 0 THEN 'failed' ELSE 'succeeded' END,
         finished_at = id WHERE id % 10 <> 0`,
    );
    await client.query(`ANALYZE "${schema}".jobs`);
  });

  after(async () => {
    await client?.end();
    await backend?.close();
    await dropSchema(schema);
  });

  async function explain(name: string, values: unknown[]): Promise<PlanNode[]> {
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${sqlStatement('reads.sql', name, schema)}`,
      values,
    );
    return nodes(rows[0]!['QUERY PLAN'][0].Plan);
  }

  const cursor = '30000';
  // For each filter, the index a page must walk for its selective part; the planner may read other
  // states' branches through the state's claim index when it knows that state is empty.
  const cases: [filter: string, values: unknown[], expected: string][] = [
    ['state (failed)', [['failed'], null, null, cursor, 51], 'jobs_list_finished'],
    ['state (queued)', [['queued'], null, null, cursor, 51], 'jobs_list_waiting'],
    ['a rare queue', [ALL_STATES, null, 'rare', cursor, 51], 'jobs_list_finished_queue'],
    ['a rare task', [ALL_STATES, 'rare', null, cursor, 51], 'jobs_list_finished_task'],
    [
      'a rare task, its queue and a state',
      [['succeeded'], 'rare', 'rare', cursor, 51],
      'jobs_list_finished_',
    ],
  ];
  for (const [filter, values, expected] of cases) {
    it(`filter by ${filter}: reads only ordered index scans`, async () => {
      const plan = await explain('list-filtered', values);
      // Every read of the table is an ordered index scan (no sequential scan, no bitmap scan, which
      // would need the whole state sorted) of one of the list indexes.
      const reads = plan.filter((node) => /Seq Scan|Index|Bitmap/.test(node['Node Type']));
      assert.ok(reads.length > 0, 'the plan reads the table somehow');
      for (const read of reads) {
        assert.match(read['Node Type'], /^Index (Only )?Scan$/, `a ${read['Node Type']}`);
        assert.match(read['Index Name'] ?? '', /^jobs_(list_|leases$|scheduled$|queued$)/);
      }
      assert.ok(
        reads.some((read) => read['Index Name']?.startsWith(expected)),
        `no walk of ${expected}: ${reads.map((read) => read['Index Name']).join(', ')}`,
      );
    });
  }

  it('no filter walks the primary key', async () => {
    const plan = await explain('list-all', [cursor, 51]);
    assert.ok(plan.some((node) => node['Index Name'] === 'jobs_pkey' && node['Node Type'].includes('Index')));
    assert.ok(!plan.some((node) => node['Node Type'] === 'Seq Scan'));
  });

  it('finishedCounts reads a range of jobs_finished', async () => {
    const plan = await explain('finished-counts', [100, 200, 10]);
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
      `SELECT id::text FROM "${schema}".jobs WHERE state = 'failed' AND task = 'send-email' ORDER BY id DESC`,
    );
    assert.deepEqual(
      failed,
      rows.map((row) => row.id),
    );
  });
});
