// Options are checked at construction, with errors that say how to fix them; URLs as ERRAND_URL gives them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import pg from 'pg';

import { backendFromUrl } from '@errand/core';
import { fromUrl, postgresBackend, type PostgresBackendOptions } from '@errand/postgres';

import { statementName } from '../../packages/postgres/src/statements.ts';
import { parseUrl } from '../../packages/postgres/src/url.ts';

const URL = 'postgres://postgres@127.0.0.1:5432/test';

describe('postgres: options', () => {
  const refusals: [string, unknown, RegExp][] = [
    ['no connection', {}, /say where the database is: give connectionString/],
    [
      'two connections',
      { connectionString: URL, poolConfig: {} },
      /only one of .* \(got connectionString and poolConfig\)/,
    ],
    ['an empty connection string', { connectionString: '' }, /connectionString must be a URL/],
    ['a pool that is not one', { pool: { query() {} } }, /pool must be a pg\.Pool/],
    ['an unknown option', { connectionString: URL, schemaName: 'x' }, /unknown option "schemaName"/],
    ['an uppercase schema', { connectionString: URL, schema: 'Jobs' }, /schema must be lowercase letters/],
    ['a schema with a dot', { connectionString: URL, schema: 'a.b' }, /schema must be .* \(got "a\.b"\)/],
    ['a pg_ schema', { connectionString: URL, schema: 'pg_jobs' }, /not starting with pg_/],
    ['a fractional pool size', { connectionString: URL, poolSize: 2.5 }, /poolSize must be a whole number/],
    ['a pool size with an app pool', { pool: new pg.Pool(), poolSize: 3 }, /set its max instead/],
    ['migrate as a string', { connectionString: URL, migrate: 'yes' }, /migrate must be true or false/],
    ['a logger without methods', { connectionString: URL, logger: console.log }, /logger must have/],
  ];
  for (const [what, options, message] of refusals) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => postgresBackend(options as PostgresBackendOptions),
        (error: Error) => error instanceof TypeError && message.test(error.message),
      );
    });
  }

  it('accepts each way to say where the database is, without connecting', async () => {
    const appPool = new pg.Pool({ connectionString: URL });
    for (const options of [
      { connectionString: URL },
      { pool: appPool },
      { poolConfig: { host: '127.0.0.1', database: 'test' }, poolSize: 2, schema: 'jobs_2', migrate: false },
    ]) {
      const backend = postgresBackend(options);
      assert.equal(backend.kind, 'postgres');
      await backend.close();
    }
    await appPool.end();
  });

  it('reads the schema from the URL and hands pg the rest', () => {
    assert.deepEqual(parseUrl('postgres://u:p@db:6432/app?schema=jobs&sslmode=require'), {
      connectionString: 'postgres://u:p@db:6432/app?sslmode=require',
      schema: 'jobs',
    });
    assert.deepEqual(parseUrl('postgresql://db/app'), {
      connectionString: 'postgresql://db/app',
      schema: undefined,
    });
    assert.throws(() => parseUrl('mysql://db/app'), /is not a PostgreSQL URL/);
    assert.throws(
      () => parseUrl('postgres://u:secret@db/app?schema=a&schema=b'),
      (error: Error) => {
        assert.match(error.message, /gives schema twice/);
        assert.doesNotMatch(error.message, /secret/, 'the password stays out of the message');
        return true;
      },
    );
    assert.throws(() => fromUrl('postgres://db/app?schema=Bad'), /schema must be lowercase/);
  });

  it('is what the core opens for postgres:// and postgresql:// URLs', async () => {
    for (const url of [URL, 'postgresql://127.0.0.1/test?schema=other']) {
      const backend = await backendFromUrl(url);
      assert.equal(backend.kind, 'postgres');
      await backend.close();
    }
  });
});

describe('postgres: prepared statement names', () => {
  it('stay within the 63 bytes PostgreSQL keeps, and apart, whatever the schema', () => {
    const long = 'a'.repeat(48);
    const names = ['record-worker', 'record-progress', 'claim-jobs'].flatMap((statement) => [
      statementName(long, statement),
      statementName(`${long.slice(0, 47)}b`, statement),
      statementName('errand', statement),
    ]);
    for (const name of names) assert.ok(name.length <= 63, `${name} is longer than 63 bytes`);
    assert.equal(new Set(names.map((name) => name.slice(0, 63))).size, names.length);
    assert.equal(statementName('errand', 'claim-jobs'), 'errand:errand:claim-jobs');
  });
});
