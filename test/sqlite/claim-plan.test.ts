// The claim reads its indexes and never scans the jobs table, nor the jobs that are not due yet; the
// lookups the flow-control verbs make use their own indexes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { sqliteBackend } from '@errand/sqlite';

import { sqlStatement } from '../../packages/sqlite/src/sql.ts';

function plan(db: Database.Database, sql: string, params: Record<string, unknown>): string[] {
  return db
    .prepare<[Record<string, unknown>], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(params)
    .map((row) => row.detail);
}

describe('the claim query plan', () => {
  it('uses the queued and scheduled indexes and scans no table', async () => {
    const db = new Database(':memory:');
    const backend = sqliteBackend({ database: db });
    await backend.init();
    const details = plan(db, sqlStatement('claim.sql', 'claim-jobs', 'errand_'), {
      tasks: '["send-email"]',
      queues: null,
      excludeQueues: '[]',
      limit: 10,
      now: 1,
      leaseToken: 't',
      leaseUntil: 2,
      workerId: 'w',
    });
    const text = details.join('\n');
    assert.match(text, /SCAN errand_jobs USING COVERING INDEX errand_jobs_queued/);
    assert.match(text, /SEARCH errand_jobs USING COVERING INDEX errand_jobs_scheduled \(priority>\?\)/);
    assert.match(
      text,
      /SEARCH errand_jobs USING COVERING INDEX errand_jobs_scheduled \(priority=\? AND run_at<\?\)/,
    );
    assert.match(text, /SEARCH errand_jobs USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    for (const detail of details.filter((line) => /^SCAN (errand_jobs|due)\b/.test(line))) {
      assert.match(detail, /USING COVERING INDEX/, `a full table scan: ${detail}`);
    }
    await backend.close();
    db.close();
  });

  it('the concurrency-limited claim finds its candidates through the same indexes, never the table', async () => {
    const db = new Database(':memory:');
    const backend = sqliteBackend({ database: db });
    await backend.init();
    const details = plan(db, sqlStatement('limited-claim.sql', 'claim-candidates', 'errand_'), {
      tasks: '["send-email"]',
      queues: null,
      excludeQueues: '["mail"]',
      limit: 10,
      now: 1,
      fullKeys: '["customer:1"]',
    });
    const text = details.join('\n');
    assert.match(text, /SCAN errand_jobs USING COVERING INDEX errand_jobs_queued/);
    assert.match(
      text,
      /SEARCH errand_jobs USING COVERING INDEX errand_jobs_scheduled \(priority=\? AND run_at<\?\)/,
    );
    for (const detail of details.filter((line) => /^SCAN (errand_jobs|due)\b/.test(line))) {
      assert.match(detail, /USING COVERING INDEX/, `a full table scan: ${detail}`);
    }
    await backend.close();
    db.close();
  });

  it('the lookups of unique keys, running keys and rate starts each use their index', async () => {
    const db = new Database(':memory:');
    const backend = sqliteBackend({ database: db });
    await backend.init();
    const lookups: [file: string, name: string, params: Record<string, unknown>, expected: RegExp][] = [
      ['unique.sql', 'find-unique-holder', { uniqueKey: 'k', now: 1 }, /USING INDEX errand_jobs_unique_key/],
      ['limited-claim.sql', 'running-per-key', {}, /USING COVERING INDEX errand_jobs_running_concurrency/],
      [
        'limited-claim.sql',
        'count-rate-starts',
        { rateKey: 'k', since: 0 },
        /USING INDEX errand_rate_starts_key \(rate_key=\? AND started_at>\?\)/,
      ],
      [
        'limited-claim.sql',
        'prune-rate-starts',
        { rateKey: 'k', before: 0 },
        /USING INDEX errand_rate_starts_key \(rate_key=\? AND started_at<\?\)/,
      ],
      ['cancel.sql', 'cancel-requested', { ids: '[1,2]' }, /USING INTEGER PRIMARY KEY/],
    ];
    for (const [file, name, params, expected] of lookups) {
      const details = plan(db, sqlStatement(file, name, 'errand_'), params);
      assert.match(details.join('\n'), expected, name);
      assert.ok(
        !details.some((line) => /^SCAN errand_/.test(line)),
        `${name} scans a table: ${details.join('; ')}`,
      );
    }
    await backend.close();
    db.close();
  });

  it('claims only due jobs, in priority order, when many future jobs come first', async () => {
    const db = new Database(':memory:');
    const backend = sqliteBackend({ database: db });
    await backend.init();
    const base = { task: 'send-email', queue: 'default', payload: '{}', maxAttempts: 3, createdAt: 0 };
    const future = Array.from({ length: 1_000 }, () => ({
      ...base,
      state: 'scheduled' as const,
      priority: -5,
      runAt: 10_000,
    }));
    const [dueScheduled] = await backend.insert([{ ...base, state: 'scheduled', priority: 2, runAt: 50 }]);
    await backend.insert(future);
    const [queued] = await backend.insert([{ ...base, state: 'queued', priority: 1, runAt: 9_999 }]);
    const claimed = await backend.claim({
      queues: null,
      tasks: ['send-email'],
      limit: 5,
      workerId: 'w',
      leaseToken: 't',
      leaseUntil: 200,
      now: 100,
    });
    assert.deepEqual(
      claimed.map((job) => job.id),
      [queued, dueScheduled],
    );
    await backend.close();
    db.close();
  });
});
