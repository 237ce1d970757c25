// insert({ tx }): the job commits or rolls back with the app's own transaction.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import type { Backend, NewJob } from '@errand/core';
import { sqliteBackend } from '@errand/sqlite';

import { removeDatabase, tempDatabasePath } from './temp-database.ts';

const job: NewJob = {
  task: 'send-email',
  queue: 'default',
  state: 'queued',
  priority: 0,
  payload: '{"to":"ada@example.com"}',
  maxAttempts: 3,
  runAt: 1_000,
  createdAt: 1_000,
};

async function jobCount(backend: Backend): Promise<number> {
  return (await backend.stats()).reduce((sum, group) => sum + group.count, 0);
}

describe('insert with the caller’s transaction (app connection to the same file)', () => {
  let path: string;
  let backend: Backend;
  let app: Database.Database;

  beforeEach(async () => {
    path = tempDatabasePath();
    backend = sqliteBackend({ path });
    await backend.init();
    app = new Database(path);
    app.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)');
  });

  afterEach(async () => {
    if (app.open) app.close();
    await backend.close();
    await removeDatabase(path);
  });

  it('a rollback leaves no job, and none of the app’s rows', async () => {
    app.exec('BEGIN IMMEDIATE');
    app.prepare('INSERT INTO users (email) VALUES (?)').run('ada@example.com');
    const [id] = await backend.insert([job], { tx: app });
    app.exec('ROLLBACK');
    assert.ok(id !== undefined);
    assert.equal(await backend.get(id), null);
    assert.equal(await jobCount(backend), 0);
    assert.deepEqual(app.prepare('SELECT count(*) AS n FROM users').get(), { n: 0 });
  });

  it('a commit leaves exactly one job, with the app’s row', async () => {
    app.exec('BEGIN IMMEDIATE');
    app.prepare('INSERT INTO users (email) VALUES (?)').run('ada@example.com');
    const [id] = await backend.insert([job], { tx: app });
    app.exec('COMMIT');
    assert.ok(id !== undefined);
    assert.equal((await backend.get(id))?.state, 'queued');
    assert.equal(await jobCount(backend), 1);
    assert.deepEqual(app.prepare('SELECT count(*) AS n FROM users').get(), { n: 1 });
  });

  it('a rejected batch inside the caller’s transaction leaves no part of itself, and the transaction usable', async () => {
    app.exec('BEGIN IMMEDIATE');
    const broken = { ...job, task: null } as unknown as NewJob;
    await assert.rejects(backend.insert([job, broken], { tx: app }));
    assert.equal(app.inTransaction, true, 'the caller’s transaction is still open');
    const [id] = await backend.insert([job], { tx: app });
    app.exec('COMMIT');
    assert.equal(await jobCount(backend), 1);
    assert.equal((await backend.get(id!))?.task, 'send-email');
  });

  it('a connection that is not inside a transaction is refused with a hint', async () => {
    await assert.rejects(backend.insert([job], { tx: app }), /open transaction.*BEGIN IMMEDIATE/);
    assert.equal(await jobCount(backend), 0);
  });

  it('a connection to another file is refused, naming both files', async () => {
    const otherPath = tempDatabasePath();
    const other = new Database(otherPath);
    try {
      other.exec('BEGIN');
      await assert.rejects(backend.insert([job], { tx: other }), (error: Error) => {
        assert.match(error.message, /same file/);
        assert.ok(error.message.includes(otherPath), error.message);
        return true;
      });
      other.exec('ROLLBACK');
    } finally {
      other.close();
      await removeDatabase(otherPath);
    }
    assert.equal(await jobCount(backend), 0);
  });

  it('an in-memory connection is refused', async () => {
    const memory = new Database(':memory:');
    memory.exec('BEGIN');
    await assert.rejects(backend.insert([job], { tx: memory }), /in-memory database/);
    memory.close();
  });
});

describe('insert with the caller’s transaction on errand’s own connection (database option)', () => {
  it('joins the transaction on the very connection errand uses, also in memory', async () => {
    const app = new Database(':memory:');
    const backend = sqliteBackend({ database: app });
    await backend.init();
    app.exec('BEGIN IMMEDIATE');
    await backend.insert([job], { tx: app });
    app.exec('ROLLBACK');
    assert.equal(await jobCount(backend), 0);
    app.exec('BEGIN IMMEDIATE');
    await backend.insert([job], { tx: app });
    app.exec('COMMIT');
    assert.equal(await jobCount(backend), 1);
    await backend.close();
    app.close();
  });

  it('another in-memory connection is a different database and is refused', async () => {
    const backend = sqliteBackend({ path: ':memory:' });
    await backend.init();
    const other = new Database(':memory:');
    other.exec('BEGIN');
    await assert.rejects(backend.insert([job], { tx: other }), /in-memory database/);
    other.close();
    await backend.close();
  });
});
