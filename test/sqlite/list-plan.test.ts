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
  const cases: [filter: string, statement: string, params: Record<string, unknown>, index: RegExp][] = [
    ['none', 'list-all', page, /SEARCH errand_jobs USING INTEGER PRIMARY KEY \(rowid<\?\)/],
    [
      'state',
      'list-by-state',
      { ...page, state: 'failed' },
      /SEARCH errand_jobs USING INDEX errand_jobs_list_state \(state=\? AND id>\? AND id<\?\)/,
    ],
    [
      'queue (and a state: one walk per state without one)',
      'list-by-queue',
      { ...page, queue: 'mail', state: 'failed' },
      /SEARCH errand_jobs USING INDEX errand_jobs_list_queue \(queue=\? AND state=\? AND id>\? AND id<\?\)/,
    ],
    [
      'task, or task and queue (and a state: one walk per state without one)',
      'list-by-task',
      { ...page, task: 'send-email', state: 'failed', queue: 'mail' },
      /SEARCH errand_jobs USING INDEX errand_jobs_list_task \(task=\? AND state=\? AND id>\? AND id<\?\)/,
    ],
  ];
  for (const [filter, statement, params, index] of cases) {
    it(`filter by ${filter}: walks an index down from the cursor, with no sort`, async () => {
      const db = await freshDatabase();
      const text = plan(db, statement, params);
      assert.match(text, index);
      assert.doesNotMatch(text, /TEMP B-TREE/, 'an ORDER BY the index does not give');
      assert.doesNotMatch(text, /^SCAN/m, 'a scan of the table or a whole index');
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
