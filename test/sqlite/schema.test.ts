// The file outlives the process: reopening keeps the jobs; a newer schema is refused clearly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Database from 'better-sqlite3';

import type { ListFilter } from '@errand/core';
import { SCHEMA_VERSION, sqliteBackend } from '@errand/sqlite';

import { sqlFile, sqlStatement } from '../../packages/sqlite/src/sql.ts';
import { removeDatabase, tempDatabasePath } from './temp-database.ts';

const job = {
  task: 'send-email',
  queue: 'default',
  state: 'queued',
  priority: 0,
  payload: '{"n":1}',
  maxAttempts: 3,
  runAt: 1_000,
  createdAt: 1_000,
} as const;

describe('schema and reopening', () => {
  it('a reopened file keeps its jobs, and ids keep increasing after the newest was pruned', async () => {
    const path = tempDatabasePath();
    try {
      const first = sqliteBackend({ path });
      await first.init();
      const ids = await first.insert([job, job]);
      const [claimed] = await first.claim({
        queues: null,
        tasks: ['send-email'],
        limit: 1,
        workerId: 'w',
        leaseToken: 't',
        leaseUntil: 2_000,
        now: 1_000,
      });
      await first.transition([{ id: ids[1]!, from: ['queued'], to: 'cancelled', finishedAt: 1_000 }]);
      assert.equal(await first.prune({ before: 2_000, limit: 10 }), 1, 'the newest job is pruned');
      await first.close();

      const second = sqliteBackend({ path });
      await second.init();
      const reopened = await second.get(ids[0]!);
      assert.equal(reopened?.state, 'running');
      assert.equal(reopened?.leaseToken, claimed?.leaseToken);
      assert.equal(reopened?.payload, '{"n":1}');
      const [next] = await second.insert([job]);
      assert.ok(BigInt(next!) > BigInt(ids[1]!), `a pruned id is never reused (got ${next} after ${ids[1]})`);
      await second.close();
    } finally {
      await removeDatabase(path);
    }
  });

  it('opens the file in WAL mode and records the schema version in its own table', async () => {
    const path = tempDatabasePath();
    try {
      const backend = sqliteBackend({ path });
      await backend.init();
      await backend.close();
      const db = new Database(path);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(
        db.prepare('SELECT version FROM errand_schema_version ORDER BY version').all(),
        Array.from({ length: SCHEMA_VERSION }, (_, n) => ({ version: n + 1 })),
        'one row per migration applied',
      );
      assert.equal(db.pragma('user_version', { simple: true }), 0, 'user_version is left to the app');
      db.close();
    } finally {
      await removeDatabase(path);
    }
  });

  it('a file made at schema version 1 is migrated: its jobs stay, with no keys and no cancel request', async () => {
    const path = tempDatabasePath();
    try {
      // The tables as the first release made them, with a queued and a running job in them.
      const old = new Database(path);
      old.exec(sqlStatement('schema-version.sql', 'create-version-table', 'errand_'));
      old.exec(sqlFile('schema.sql', 'errand_'));
      old.prepare(sqlStatement('schema-version.sql', 'write-version', 'errand_')).run({ version: 1 });
      const insert = old.prepare(
        `INSERT INTO errand_jobs (task, queue, state, priority, payload, max_attempts, run_at, created_at,
           attempt, started_at, lease_token, lease_until, worker_id)
         VALUES (?, 'default', ?, 0, '{"n":1}', 3, 1000, 1000, ?, ?, ?, ?, ?)`,
      );
      const queued = String(insert.run('send-email', 'queued', 0, null, null, null, null).lastInsertRowid);
      const running = String(insert.run('export', 'running', 1, 1_000, 't', 2_000, 'w').lastInsertRowid);
      old.close();

      const backend = sqliteBackend({ path });
      await backend.init();
      const stored = await backend.get(queued);
      assert.deepEqual(
        { ...stored, id: undefined },
        {
          id: undefined,
          task: 'send-email',
          queue: 'default',
          state: 'queued',
          priority: 0,
          payload: '{"n":1}',
          result: null,
          progress: null,
          errors: '[]',
          attempt: 0,
          maxAttempts: 3,
          runAt: 1_000,
          createdAt: 1_000,
          startedAt: null,
          finishedAt: null,
          leaseToken: null,
          leaseUntil: null,
          workerId: null,
          uniqueKey: null,
          concurrencyKey: null,
          cancelRequested: false,
        },
      );
      assert.equal(await backend.requestCancel(running), true, 'an old running job can be asked to cancel');
      assert.deepEqual(await backend.cancelRequested([running]), [running]);
      const unique = { ...job, uniqueKey: 'k', uniqueStates: ['queued'] as const, uniqueUntil: null };
      assert.equal((await backend.insertUnique(unique, { now: 1_000 })).created, true);
      assert.equal((await backend.insertUnique(unique, { now: 1_000 })).created, false);
      await backend.close();

      const db = new Database(path);
      assert.deepEqual(
        db.prepare('SELECT version FROM errand_schema_version ORDER BY version').all(),
        Array.from({ length: SCHEMA_VERSION }, (_, n) => ({ version: n + 1 })),
      );
      db.close();
    } finally {
      await removeDatabase(path);
    }
  });

  it('a file made at schema version 3 is migrated: its six list indexes give way to two, and list() reads them', async () => {
    const path = tempDatabasePath();
    try {
      const old = new Database(path);
      old.exec(sqlStatement('schema-version.sql', 'create-version-table', 'errand_'));
      const writeVersion = old.prepare(sqlStatement('schema-version.sql', 'write-version', 'errand_'));
      for (const [n, file] of [
        'schema.sql',
        'schema-2-flow-control.sql',
        'schema-3-dashboard.sql',
      ].entries()) {
        old.exec(sqlFile(file, 'errand_'));
        writeVersion.run({ version: n + 1 });
      }
      const insert = old.prepare(
        `INSERT INTO errand_jobs (task, queue, state, priority, payload, max_attempts, run_at, created_at, finished_at)
         VALUES (?, ?, ?, 0, '{}', 3, 1000, 1000, ?)`,
      );
      const mail = String(insert.run('send-email', 'mail', 'queued', null).lastInsertRowid);
      const media = String(insert.run('resize-image', 'media', 'succeeded', 2_000).lastInsertRowid);
      const listIndexes = (db: Database.Database): string[] =>
        db
          .prepare<[], { name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'errand_jobs_list%' ORDER BY name",
          )
          .all()
          .map(({ name }) => name);
      assert.equal(listIndexes(old).length, 6);
      old.close();

      const backend = sqliteBackend({ path });
      await backend.init();
      const ids = async (filter: Omit<ListFilter, 'limit'>): Promise<string[]> =>
        (await backend.list({ ...filter, limit: 10 })).jobs.map(({ id }) => id);
      assert.deepEqual(await ids({ queue: 'mail' }), [mail]);
      assert.deepEqual(await ids({ task: 'resize-image' }), [media]);
      assert.deepEqual(await ids({ state: 'succeeded' }), [media]);
      await backend.close();

      const db = new Database(path);
      assert.deepEqual(listIndexes(db), ['errand_jobs_list_finished', 'errand_jobs_list_waiting']);
      assert.equal(
        db.prepare<[], { version: number }>('SELECT max(version) AS version FROM errand_schema_version').get()
          ?.version,
        SCHEMA_VERSION,
      );
      db.close();
    } finally {
      await removeDatabase(path);
    }
  });

  it('a schema newer than this code knows is refused with an error that says what to do', async () => {
    const path = tempDatabasePath();
    try {
      const backend = sqliteBackend({ path });
      await backend.init();
      await backend.close();
      const db = new Database(path);
      db.prepare('INSERT INTO errand_schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
      db.close();

      const older = sqliteBackend({ path });
      await assert.rejects(older.init(), (error: Error) => {
        assert.match(error.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}`));
        assert.match(error.message, new RegExp(`only knows versions up to ${SCHEMA_VERSION}`));
        assert.match(error.message, /upgrade @errand\/sqlite/);
        assert.ok(error.message.includes(path), 'names the file');
        return true;
      });
      await older.close();
    } finally {
      await removeDatabase(path);
    }
  });

  it('a method called before init() says to call init()', async () => {
    const backend = sqliteBackend({ path: ':memory:' });
    await assert.rejects(backend.get('1'), /call init\(\)/);
    await backend.close();
  });

  it('a file in a missing folder fails at init() with the path and a hint', async () => {
    const backend = sqliteBackend({ path: '/nonexistent-errand-folder/jobs.db' });
    await assert.rejects(backend.init(), /nonexistent-errand-folder\/jobs\.db.*directory exists/);
    await backend.close();
  });
});
