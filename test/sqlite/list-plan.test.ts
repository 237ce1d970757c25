// list() pages through an index for every filter, so a page deep in a million jobs costs what the
// first page costs: no statement scans the jobs table or a whole state, or sorts all matching jobs.
// Checked on SQLite's own query plans, on an empty store and on one with many (queue, task) pairs and
// statistics (ANALYZE), and by counting the ids a page reads among many pairs. finishedCounts()
// reads an index range.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import type { Backend, JobRecord, JobState, ListFilter, NewJob } from '@errand/core';
import { sqliteBackend } from '@errand/sqlite';

import { listRows } from '../../packages/sqlite/src/list-jobs.ts';
import { sqlStatement } from '../../packages/sqlite/src/sql.ts';
import { prepareStatements, type Statements } from '../../packages/sqlite/src/statements.ts';
import { newJob } from '../contract/helpers.ts';

function plan(db: Database.Database, file: string, name: string, params: Record<string, unknown>): string {
  return db
    .prepare<[Record<string, unknown>], { detail: string }>(
      `EXPLAIN QUERY PLAN ${sqlStatement(file, name, 'errand_')}`,
    )
    .all(params)
    .map((row) => row.detail)
    .join('\n');
}

const NO_CURSOR = 9223372036854775807n;
const page = { before: 1_000_000, limit: 51 };
const range = 'queue=\\? AND task=\\? AND state=\\? AND id>\\? AND id<\\?';

/** [statement, parameters, what each line that reads errand_jobs must be, whether a sort is fine]. */
const CASES: [name: string, params: Record<string, unknown>, reads: RegExp[], sorts: boolean][] = [
  ['list-all', page, [/^SEARCH errand_jobs USING INTEGER PRIMARY KEY \(rowid<\?\)$/], false],
  // Running jobs are few (the workers' slots): reading all of errand_jobs_leases and sorting is fine.
  [
    'list-running-ids',
    { ...page, task: 'send-email', queue: 'mail' },
    [/^SCAN errand_jobs USING INDEX errand_jobs_leases$/],
    true,
  ],
  ['list-rows', { ids: '[3,2,1]' }, [/^SEARCH errand_jobs USING INTEGER PRIMARY KEY \(rowid=\?\)$/], false],
];
for (const [group, state] of [
  ['waiting', 'queued'],
  ['finished', 'failed'],
] as const) {
  const index = `SEARCH errand_jobs USING COVERING INDEX errand_jobs_list_${group}`;
  CASES.push(
    [
      `list-${group}-ids`,
      { ...page, queue: 'mail', task: 'send-email', state },
      [new RegExp(`^${index} \\(${range}\\)$`)],
      false,
    ],
    [
      `list-${group}-heads`,
      { queue: null, task: null, states: JSON.stringify([state]), before: page.before },
      [
        // The highest queue (the min/max optimization: one seek), the next queue down, a queue's
        // highest task, its next task down, and a range's newest id.
        new RegExp(`^${index}$`),
        new RegExp(`^${index} \\(queue<\\?\\)$`),
        new RegExp(`^${index} \\(queue=\\?\\)$`),
        new RegExp(`^${index} \\(queue=\\? AND task<\\?\\)$`),
        new RegExp(`^${index} \\(${range}\\)$`),
      ],
      false,
    ],
  );
}

/** Asserts a statement's plan reads errand_jobs only as `reads` say, each of them at least once. */
function assertPlan(db: Database.Database, [name, params, reads, sorts]: (typeof CASES)[number]): void {
  const text = plan(db, 'list.sql', name, params);
  const lines = text.split('\n').filter((line) => /^(SCAN|SEARCH) errand_jobs\b/.test(line));
  for (const line of lines) {
    assert.ok(
      reads.some((read) => read.test(line)),
      `${name}: an unexpected read of the jobs: ${line}\n${text}`,
    );
  }
  for (const read of reads) {
    assert.ok(
      lines.some((line) => read.test(line)),
      `${name}: no read matching ${read}\n${text}`,
    );
  }
  if (!sorts) assert.doesNotMatch(text, /TEMP B-TREE/, `${name}: a sort the index does not give\n${text}`);
}

async function freshDatabase(): Promise<Database.Database> {
  const db = new Database(':memory:');
  await sqliteBackend({ database: db }).init();
  return db;
}

describe('the list query plans', () => {
  for (const each of CASES) {
    it(`${each[0]} reads its index by seeks, never the whole table or a whole state`, async () => {
      const db = await freshDatabase();
      assertPlan(db, each);
      db.close();
    });
  }

  it('finishedCounts reads the finished jobs of the window off a covering index', async () => {
    const db = await freshDatabase();
    const text = plan(db, 'reads.sql', 'finished-counts', { since: 0, until: 60_000, bucketMs: 1_000 });
    assert.match(
      text,
      /SEARCH errand_jobs USING COVERING INDEX errand_jobs_finished \(finished_at>\? AND finished_at<\?\)/,
    );
    db.close();
  });
});

const QUEUES = 12;
const TASKS = 10;
const ROUNDS = 12;
const NOW = 1_700_000_000_000;

const job = (queue: string, task: string): NewJob =>
  newJob({ queue, task, payload: '{}', runAt: NOW, createdAt: NOW });

describe('list with many (queue, task) pairs', () => {
  const db = new Database(':memory:');
  const backend: Backend = sqliteBackend({ database: db });
  let all: JobRecord[] = [];

  before(async () => {
    await backend.init();
    // 120 pairs, each with a job in every round, so every pair's ids spread over all ids; then some
    // of them run, succeed, fail or are cancelled.
    const pairs = Array.from({ length: QUEUES * TASKS }, (_, n) => [
      `queue-${n % QUEUES}`,
      `task-${n % TASKS}`,
    ]);
    for (let round = 0; round < ROUNDS; round++) {
      await backend.insert(pairs.map(([queue, task]) => job(queue!, task!)));
    }
    const claimed = await backend.claim({
      queues: null,
      tasks: Array.from({ length: TASKS }, (_, n) => `task-${n}`),
      limit: 600,
      workerId: 'w',
      leaseToken: 'l',
      leaseUntil: NOW + 60_000,
      now: NOW,
    });
    const outcomes: JobState[] = ['succeeded', 'failed', 'cancelled', 'running'];
    await backend.transition(
      claimed
        .filter((_, n) => outcomes[n % 4] !== 'running')
        .map((each, n) => ({
          id: each.id,
          from: ['running'],
          leaseToken: 'l',
          to: outcomes[n % 3]!,
          finishedAt: NOW,
        })),
    );
    db.exec('ANALYZE');
    all = (await backend.list({ limit: 100_000 })).jobs;
  });
  after(async () => {
    await backend.close();
    db.close();
  });

  it('the plans stay the same with statistics', () => {
    for (const each of CASES) assertPlan(db, each);
  });

  const filters: Omit<ListFilter, 'limit'>[] = [
    { state: 'succeeded' },
    { state: 'queued' },
    { state: 'running' },
    { queue: 'queue-3' },
    { task: 'task-7' },
    { queue: 'queue-3', task: 'task-3' },
    { queue: 'queue-3', task: 'task-4' },
    { queue: 'queue-5', state: 'failed' },
    { task: 'task-2', state: 'cancelled' },
    { queue: 'queue-0', task: 'task-0', state: 'queued' },
    { queue: 'none' },
  ];

  it('every filter pages through each matching job once, newest first', async () => {
    assert.equal(all.length, QUEUES * TASKS * ROUNDS);
    for (const filter of filters) {
      const expected = all.filter(
        (each) =>
          (filter.state === undefined || each.state === filter.state) &&
          (filter.task === undefined || each.task === filter.task) &&
          (filter.queue === undefined || each.queue === filter.queue),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const next = await backend.list({ ...filter, limit: 7, before: cursor });
        seen.push(...next.jobs.map((each) => each.id));
        cursor = next.next ?? undefined;
      } while (cursor !== undefined);
      assert.deepEqual(
        seen,
        expected.map((each) => each.id),
        JSON.stringify(filter),
      );
    }
  });

  it('a page reads about a page of ids, not a page from every pair', () => {
    let read = 0;
    const statements = prepareStatements(db, 'errand_');
    const counted = (ids: Statements['listGroups']['waiting']['ids']): typeof ids =>
      ({
        iterate: function* (params: Parameters<typeof ids.iterate>[0]) {
          for (const id of ids.iterate(params)) {
            read++;
            yield id;
          }
        },
      }) as unknown as typeof ids;
    for (const group of ['waiting', 'finished'] as const) {
      statements.listGroups[group].ids = counted(statements.listGroups[group].ids);
    }
    const pageFilters: Omit<ListFilter, 'limit' | 'before'>[] = [
      { state: 'succeeded' },
      { state: 'queued' },
      { task: 'task-1' },
    ];
    for (const filter of pageFilters) {
      read = 0;
      const rows = listRows(statements, { ...filter, limit: 51 }, NO_CURSOR, 51);
      assert.equal(rows.length, 51);
      // 120 ranges (12 for the task), 51 ids wanted: reading 51 from every range would be 6,120
      // ids. Read newest first, each until its ids fall off the page, ranges whose ids interleave
      // take about 51 x ln(ranges) (here 69 to 157).
      assert.ok(read <= 4 * 51, `${JSON.stringify(filter)}: read ${read} ids`);
    }
  });
});
