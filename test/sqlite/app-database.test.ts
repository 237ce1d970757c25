// errand's tables inside the app's own database (the `database` option), and tablePrefix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { sqliteBackend } from '@errand/sqlite';

import { removeDatabase, tempDatabasePath } from './temp-database.ts';

function tableNames(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);
}

const job = {
  task: 'send-email',
  queue: 'default',
  state: 'queued',
  priority: 0,
  payload: '{}',
  maxAttempts: 3,
  runAt: 1_000,
  createdAt: 1_000,
} as const;

describe('tables in the app’s own database', () => {
  it('creates errand’s tables next to the app’s, leaving the app’s tables, user_version and connection alone', async () => {
    const path = tempDatabasePath();
    const app = new Database(path);
    try {
      app.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)');
      app.exec("INSERT INTO users (email) VALUES ('ada@example.com')");
      app.pragma('user_version = 7');
      const backend = sqliteBackend({ database: app });
      await backend.init();
      const [id] = await backend.insert([job]);

      assert.deepEqual(
        tableNames(app).filter((name) => name !== 'sqlite_sequence'),
        [
          'errand_jobs',
          'errand_paused_queues',
          'errand_rate_starts',
          'errand_schedules',
          'errand_schema_version',
          'errand_workers',
          'users',
        ],
      );
      assert.equal(
        app.prepare<[], { task: string }>('SELECT task FROM errand_jobs').get()?.task,
        'send-email',
      );
      assert.equal(app.pragma('user_version', { simple: true }), 7);
      assert.deepEqual(app.prepare('SELECT email FROM users').all(), [{ email: 'ada@example.com' }]);

      await backend.close();
      assert.equal(app.open, true, 'close() leaves the app’s connection open');
      assert.equal(app.prepare<[], { n: number }>('SELECT count(*) AS n FROM errand_jobs').get()?.n, 1);
      assert.ok(id !== undefined);
    } finally {
      app.close();
      await removeDatabase(path);
    }
  });

  it('returns numbers, not BigInts, even when the app turned on safe integers', async () => {
    const app = new Database(':memory:');
    app.defaultSafeIntegers(true);
    const backend = sqliteBackend({ database: app });
    await backend.init();
    const [id] = await backend.insert([job]);
    const stored = await backend.get(id!);
    assert.equal(typeof stored?.runAt, 'number');
    assert.equal(stored?.id, id);
    await backend.close();
    app.close();
  });

  it('tablePrefix names every table and index, and two prefixes are two separate stores', async () => {
    const app = new Database(':memory:');
    const first = sqliteBackend({ database: app, tablePrefix: 'jobs_a_' });
    const second = sqliteBackend({ database: app, tablePrefix: 'jobs_b_' });
    await first.init();
    await second.init();
    await first.insert([job, job]);
    await second.insert([job]);
    assert.equal((await first.list({ limit: 10 })).jobs.length, 2);
    assert.equal((await second.list({ limit: 10 })).jobs.length, 1);
    const names = app
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => row.name);
    assert.ok(names.length > 0);
    for (const name of names) assert.match(name, /^jobs_[ab]_/);
    await first.close();
    await second.close();
    app.close();
  });
});
