import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { POSTGRES_URL, skipUnlessReachable } from '../support/services.ts';
import { errand, tempStore } from './helpers.ts';

const postgresSkip = await skipUnlessReachable(POSTGRES_URL);

describe('errand migrate', () => {
  it('creates a SQLite store that does not exist yet', async () => {
    const store = tempStore();
    try {
      const result = await errand(['migrate'], { ERRAND_URL: store.url });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /sqlite store is ready/);
      assert.ok(existsSync(path.join(store.dir, 'jobs.db')));
    } finally {
      store.remove();
    }
  });

  describe('on PostgreSQL', { skip: postgresSkip }, () => {
    const schema = `errand_cli_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    after(async () => {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });

    it("creates errand's schema and tables, and a second run changes nothing", async () => {
      await client.connect();
      const url = `${POSTGRES_URL}?schema=${schema}`;
      const first = await errand(['migrate'], { ERRAND_URL: url });
      assert.equal(first.code, 0, first.stderr);
      const tables = await client.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      assert.ok(
        tables.rows.some((row) => row.table_name === 'jobs'),
        JSON.stringify(tables.rows),
      );
      const second = await errand(['migrate'], { ERRAND_URL: url });
      assert.equal(second.code, 0, second.stderr);
    });
  });
});
