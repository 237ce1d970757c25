// Versioned migrations: many processes starting at once on a fresh schema, explicit migrate(), and a
// schema newer than the code.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import pg from 'pg';

import { migrate, postgresBackend, SCHEMA_VERSION } from '@errand/postgres';

import { skipUnlessReachable } from '../support/services.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

describe('postgres: migrations', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schemas: string[] = [];
  const freshSchema = () => {
    const schema = testSchemaName();
    schemas.push(schema);
    return schema;
  };
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  pool.on('error', () => undefined);

  after(async () => {
    await pool.end();
    for (const schema of schemas) await dropSchema(schema);
  });

  async function versions(schema: string): Promise<number[]> {
    const { rows } = await pool.query<{ version: number }>(
      `SELECT version FROM "${schema}".schema_version ORDER BY version`,
    );
    return rows.map((row) => row.version);
  }

  it('ten backends starting at once on a fresh schema all succeed, and migrate it once', async () => {
    const schema = freshSchema();
    // Each on its own pool, as ten processes would be.
    const backends = Array.from({ length: 10 }, () =>
      postgresBackend({ connectionString: POSTGRES_URL, schema, poolSize: 1 }),
    );
    try {
      await Promise.all(backends.map((backend) => backend.init()));
      assert.deepEqual(
        await versions(schema),
        Array.from({ length: SCHEMA_VERSION }, (_, index) => index + 1),
        'each version recorded once',
      );
      const [id] = await backends[3]!.insert([
        {
          task: 't',
          queue: 'q',
          state: 'queued',
          priority: 0,
          payload: '{}',
          maxAttempts: 1,
          runAt: 0,
          createdAt: 0,
        },
      ]);
      assert.equal((await backends[7]!.get(id!))?.task, 't', 'they all share the one schema');
    } finally {
      await Promise.all(backends.map((backend) => backend.close()));
    }
  });

  it('migrate() brings a schema up to date once, then finds nothing to do', async () => {
    const schema = freshSchema();
    assert.deepEqual(await migrate({ connectionString: POSTGRES_URL, schema }), {
      from: 0,
      to: SCHEMA_VERSION,
    });
    assert.deepEqual(await migrate({ connectionString: POSTGRES_URL, schema }), {
      from: SCHEMA_VERSION,
      to: SCHEMA_VERSION,
    });
    // With the app's pool, which it leaves open.
    assert.deepEqual(await migrate({ pool, schema }), { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    await pool.query('SELECT 1');
  });

  it('with migrate: false, init() checks the schema and says how to migrate it', async () => {
    const schema = freshSchema();
    const unmigrated = postgresBackend({ connectionString: POSTGRES_URL, schema, migrate: false });
    try {
      await assert.rejects(unmigrated.init(), (error: Error) => {
        assert.match(error.message, new RegExp(`schema "${schema}" is at version 0`));
        assert.match(error.message, /errand migrate/);
        return true;
      });
      const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      assert.deepEqual(rows, [], 'nothing was created');
      await migrate({ connectionString: POSTGRES_URL, schema });
      await unmigrated.init();
    } finally {
      await unmigrated.close();
    }
  });

  it('a schema migrated by a newer release is refused with a clear error', async () => {
    const schema = freshSchema();
    await migrate({ connectionString: POSTGRES_URL, schema });
    await pool.query(`INSERT INTO "${schema}".schema_version (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    for (const migrateAtStart of [true, false]) {
      const backend = postgresBackend({ connectionString: POSTGRES_URL, schema, migrate: migrateAtStart });
      try {
        await assert.rejects(backend.init(), (error: Error) => {
          assert.match(
            error.message,
            new RegExp(
              `schema "${schema}" is at version ${SCHEMA_VERSION + 1}, but this @errand/postgres only knows ` +
                `versions up to ${SCHEMA_VERSION}`,
            ),
          );
          assert.match(error.message, /upgrade @errand\/postgres/);
          return true;
        });
      } finally {
        await backend.close();
      }
    }
    await assert.rejects(migrate({ connectionString: POSTGRES_URL, schema }), /newer release/);
  });

  it('works with the longest schema name allowed (statement and channel names stay within 63 bytes)', async () => {
    const schema = `${freshSchema()}_${'x'.repeat(48)}`.slice(0, 48);
    const backend = postgresBackend({ connectionString: POSTGRES_URL, schema });
    try {
      await backend.init();
      const heard: (readonly string[])[] = [];
      const unsubscribe = await backend.wakeups!.subscribe((queues) => heard.push(queues));
      const [id] = await backend.insert([
        {
          task: 't',
          queue: 'q',
          state: 'queued',
          priority: 0,
          payload: '{}',
          maxAttempts: 1,
          runAt: 0,
          createdAt: 0,
        },
      ]);
      await backend.wakeups!.notify(['q']);
      const claimed = await backend.claim({
        queues: null,
        tasks: ['t'],
        limit: 5,
        workerId: 'w',
        leaseToken: 'l',
        leaseUntil: 10,
        now: 1,
      });
      assert.deepEqual(
        claimed.map((job) => job.id),
        [id],
      );
      for (let i = 0; i < 100 && heard.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(heard, [['q']]);
      await unsubscribe();
    } finally {
      await backend.close();
      schemas.push(schema);
    }
  });

  it('init() against a server that does not answer says where it tried', async () => {
    const backend = postgresBackend({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      schema: freshSchema(),
    });
    try {
      await assert.rejects(
        backend.init(),
        /cannot prepare the "errand_test_\w+" schema on 127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
      );
    } finally {
      await backend.close();
    }
  });
});
