// list() among many (queue, task) pairs: a page costs a seek per pair and about a page of index
// entries, not a page from every pair; and every filter pages through exactly its jobs, newest first.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import type { Backend, JobState, ListFilter, NewJob } from '@errand/core';
import { JOB_STATES } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { skipUnlessReachable } from '../support/services.ts';
import {
  assertPagedThroughIndexes,
  describePlan,
  explainList,
  extentOf,
  type ListValues,
} from './list-explain.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

const QUEUES = 30;
const TASKS = 10;
const JOBS = 9_000;
const NO_CURSOR = '9223372036854775807';

describe('postgres: list among many pairs', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schema = testSchemaName();
  let backend: Backend;
  let client: pg.Client;

  before(async () => {
    backend = postgresBackend({ connectionString: POSTGRES_URL, schema });
    await backend.init();
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    // 300 pairs (30 queues of 10 tasks), one job per pair in turn, then the states: mostly
    // succeeded, some failed, cancelled, scheduled and queued, a few running; and a burst of one
    // pair's jobs on top, so that the lists are not all alike.
    const job = (n: number): NewJob => ({
      task: `task-${n % TASKS}`,
      queue: `queue-${Math.floor(n / TASKS) % QUEUES}`,
      state: 'queued',
      priority: 0,
      payload: '{}',
      maxAttempts: 1,
      runAt: 0,
      createdAt: 0,
    });
    await backend.insert(Array.from({ length: JOBS }, (_, n) => job(n)));
    await backend.insert(Array.from({ length: 200 }, () => job(7)));
    await client.query(
      `UPDATE "${schema}".jobs
       SET state = (ARRAY['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled',
         'scheduled', 'queued', 'succeeded', 'succeeded', 'succeeded'])[1 + (id * 7919) % 11]
       WHERE id % 97 <> 0`,
    );
    await client.query(
      `UPDATE "${schema}".jobs SET state = 'running', lease_token = 't', lease_until = id WHERE id % 97 = 0`,
    );
    await client.query(`VACUUM ANALYZE "${schema}".jobs`);
  });

  after(async () => {
    await client?.end();
    await backend?.close();
    await dropSchema(schema);
  });

  const cases: [filter: string, values: ListValues][] = [
    ['a state', [['succeeded'], null, null, NO_CURSOR, 51]],
    ['a state, deeper', [['failed'], null, null, '5000', 51]],
    ['a task (30 queues)', [[...JOB_STATES], 'task-3', null, NO_CURSOR, 51]],
    ['a queue (10 tasks)', [[...JOB_STATES], null, 'queue-4', NO_CURSOR, 51]],
  ];
  for (const [filter, values] of cases) {
    it(`a page of ${filter} reads a head per list and about a page of ids`, async (t) => {
      const plan = await explainList(client, schema, values);
      t.diagnostic(`\n${describePlan(plan)}`);
      const extent = await extentOf(client, schema, values);
      const entries = assertPagedThroughIndexes(plan, extent, 51);
      t.diagnostic(`${extent.pairs} pairs, ${extent.lists} lists: ${entries} list index entries read`);
      // A seek per pair and per list, then the ids at or above the lowest of the 51 highest heads.
      const most = extent.pairs + extent.lists + 4 * 51;
      assert.ok(entries <= most, `${entries} entries read, more than ${most}`);
    });
  }

  /** Every job a filter matches, following `next` from the first page, at `limit` a page. */
  async function pageThrough(filter: Omit<ListFilter, 'before' | 'limit'>, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let before: string | undefined;
    do {
      const page = await backend.list({ ...filter, limit, before });
      assert.ok(page.jobs.length <= limit);
      ids.push(...page.jobs.map((job) => job.id));
      before = page.next ?? undefined;
    } while (before !== undefined);
    return ids;
  }

  async function matching(filter: { state?: JobState; task?: string; queue?: string }): Promise<string[]> {
    const { rows } = await client.query<{ id: string }>(
      `SELECT j.id::text AS id FROM "${schema}".jobs AS j
       WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR task = $2)
         AND ($3::text IS NULL OR queue = $3)
       ORDER BY j.id DESC`,
      [filter.state ?? null, filter.task ?? null, filter.queue ?? null],
    );
    return rows.map((row) => row.id);
  }

  const filters: { state?: JobState; task?: string; queue?: string }[] = [
    ...JOB_STATES.map((state) => ({ state })),
    { task: 'task-7' },
    { queue: 'queue-0' },
    { queue: 'queue-0', task: 'task-7' },
    { queue: 'queue-0', task: 'task-7', state: 'succeeded' },
    { task: 'task-2', state: 'failed' },
    { queue: 'queue-29', state: 'queued' },
    { queue: 'no-such-queue' },
  ];
  for (const filter of filters) {
    it(`pages by ${JSON.stringify(filter)} come back complete and newest first`, async () => {
      const expected = await matching(filter);
      // Pages of 7 (fewer than the lists) only where they stay few.
      for (const limit of expected.length <= 700 ? [50, 7] : [50]) {
        assert.deepEqual(await pageThrough(filter, limit), expected, `pages of ${limit}`);
      }
    });
  }
});
