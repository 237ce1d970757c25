// sqliteBackend() options and fromUrl(): checked at construction, errors say how to fix them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { fromUrl, sqliteBackend, type SqliteBackendOptions } from '@errand/sqlite';

function rejectsOptions(options: unknown, message: RegExp): void {
  assert.throws(() => sqliteBackend(options as SqliteBackendOptions), message);
}

describe('sqliteBackend options', () => {
  it('accepts no options at all and opens nothing until init()', () => {
    assert.equal(sqliteBackend().kind, 'sqlite');
  });

  it('refuses an unknown option, listing the known ones', () => {
    rejectsOptions(
      { file: './x.db' },
      /unknown option "file"; the options are path, database, busyTimeoutMs, tablePrefix/,
    );
  });

  it('refuses an empty or non-string path', () => {
    rejectsOptions({ path: '' }, /path must be a file path such as '.\/errand.db'/);
    rejectsOptions({ path: 42 }, /path must be a file path .*\(got 42\)/);
  });

  it('refuses path and database together', () => {
    const db = new Database(':memory:');
    rejectsOptions({ path: './x.db', database: db }, /either path .* or database .*, not both/);
    db.close();
  });

  it('refuses a database that is not a better-sqlite3 connection, closed, or read-only', () => {
    rejectsOptions({ database: {} }, /database must be a better-sqlite3 Database/);
    const closed = new Database(':memory:');
    closed.close();
    rejectsOptions({ database: closed }, /is closed; pass an open connection/);
  });

  it('refuses a busyTimeoutMs that is not a whole number of milliseconds', () => {
    rejectsOptions(
      { busyTimeoutMs: -1 },
      /busyTimeoutMs must be a whole number of milliseconds.*got -1.*5000/,
    );
    rejectsOptions({ busyTimeoutMs: 1.5 }, /busyTimeoutMs/);
    rejectsOptions({ busyTimeoutMs: '5000' }, /busyTimeoutMs.*got "5000"/);
  });

  it('refuses a tablePrefix that is not a plain identifier', () => {
    rejectsOptions({ tablePrefix: 'my-jobs' }, /tablePrefix must be letters, digits and underscores/);
    rejectsOptions({ tablePrefix: 'x"; DROP TABLE users; --' }, /tablePrefix/);
    rejectsOptions({ tablePrefix: '1jobs_' }, /tablePrefix/);
  });
});

describe('fromUrl', () => {
  it('accepts relative, absolute and in-memory URLs', async () => {
    for (const url of ['sqlite::memory:']) {
      const backend = fromUrl(url);
      await backend.init();
      assert.deepEqual(await backend.stats(), []);
      await backend.close();
    }
    assert.equal(fromUrl('sqlite:./jobs.db').kind, 'sqlite');
    assert.equal(fromUrl('sqlite:/var/lib/app/jobs.db').kind, 'sqlite');
    assert.equal(fromUrl('sqlite:///var/lib/app/jobs.db').kind, 'sqlite');
  });

  it('refuses other URLs, showing the forms it takes', () => {
    assert.throws(
      () => fromUrl('postgres://localhost/app'),
      /not a SQLite URL; write sqlite:.\/relative\/path.db/,
    );
    assert.throws(() => fromUrl('sqlite:'), /has no file path/);
    assert.throws(() => fromUrl('sqlite://server/jobs.db'), /names a host/);
    assert.throws(() => fromUrl('sqlite:./jobs.db?mode=ro'), /query options.*sqliteBackend/);
  });
});
