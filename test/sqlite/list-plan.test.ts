// list() pages through an index for every filter, so a page deep in a million jobs costs what the
// first page costs; finishedCounts() reads an index range. Checked on SQLite's own query plans.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { sqliteBackend } from '@errand/sqlite';

import { sqlStatement } from '../../packages/sqlite/src/sql.ts';

function plan(db: Database.Database, name: string, params: Record<string, unknown>): string {
  return db
    .prepare<[Record<string, unknown>], { detail: string }>(
      `EXPLAIN QUERY PLAN ${sqlStatement('reads.sql', name, 'errand_')}`,
    )
    .all(params)
    .map((row) => row.detail)
    .join('\n');
}

async function freshDatabase(): Promise<Database.Database> {
  const db = new Database(':memory:');
  await sqliteBackend({ database: db }).init();
  return db;
}

const page = { before: 1_000_000, limit: 51 };

describe('the list query plans', () => {
  const cases: [statement: string, params: Record<string, unknown>, index: RegExp][] = [
    ['list-all', page, /SEARCH errand_jobs USING INTEGER PRIMARY KEY \(rowid<\?\)/],
    ['list-running', { ...page, task: 'send-email', queue: 'mail' }, /USING INDEX errand_jobs_leases/],
  ];
  for (const [set, state] of [
    ['waiting', 'queued'],
    ['finished', 'failed'],
  ] as const) {
    const range = 'id>\\? AND id<\\?';
    cases.push(
      [
        `list-${set}-by-state`,
        { ...page, state },
        new RegExp(`SEARCH errand_jobs USING INDEX errand_jobs_list_${set} \\(state=\\? AND ${range}\\)`),
      ],
      [
        `list-${set}-by-queue`,
        { ...page, queue: 'mail', state },
        new RegExp(
          `SEARCH errand_jobs USING INDEX errand_jobs_list_${set}_queue \\(queue=\\? AND state=\\? AND ${range}\\)`,
        ),
      ],
      [
        `list-${set}-by-task`,
        { ...page, task: 'send-email', state, queue: 'mail' },
        new RegExp(
          `SEARCH errand_jobs USING INDEX errand_jobs_list_${set}_task \\(task=\\? AND state=\\? AND ${range}\\)`,
        ),
      ],
    );
  }
  for (const [statement, params, index] of cases) {
    it(`${statement} reads its index from the cursor down${statement === 'list-running' ? '' : ', with no sort'}`, async () => {
      const db = await freshDatabase();
      const text = plan(db, statement, params);
      assert.match(text, index);
      // Running jobs are few: sorting them is fine. Every other list walks its index in id order.
      if (statement !== 'list-running')
        assert.doesNotMatch(text, /TEMP B-TREE/, 'a sort the index does not give');
      // list-running reads the whole of errand_jobs_leases, which holds the running jobs alone.
      assert.doesNotMatch(
        text,
        /^SCAN (?!errand_jobs USING INDEX errand_jobs_leases$)/m,
        'a scan of the table',
      );
      db.close();
    });
  }

  it('finishedCounts reads the finished jobs of the window off a covering index', async () => {
    const db = await freshDatabase();
    const text = plan(db, 'finished-counts', { since: 0, until: 60_000, bucketMs: 1_000 });
    assert.match(
      text,
      /SEARCH errand_jobs USING COVERING INDEX errand_jobs_finished \(finished_at>\? AND finished_at<\?\)/,
    );
    db.close();
  });
});
