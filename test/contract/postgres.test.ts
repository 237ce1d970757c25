import { after, describe } from 'node:test';

import pg from 'pg';

import { postgresBackend } from '@errand/postgres';

import { dropSchema, testSchemaName } from '../postgres/test-schema.ts';
import { POSTGRES_URL, skipUnlessReachable } from '../support/services.ts';
import { describeBackendContract } from './backend-contract.ts';

// Each test has a schema of its own. The caller's transaction is a client of the app's own pool,
// inside BEGIN, as in an app that enqueues next to its own writes.
describe('postgres', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const appPool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
  appPool.on('error', () => undefined);
  after(() => appPool.end());

  describeBackendContract('postgres', async () => {
    const schema = testSchemaName();
    const clients: pg.PoolClient[] = [];
    return {
      backend: postgresBackend({ connectionString: POSTGRES_URL, schema, poolSize: 4 }),
      cleanup: async () => {
        for (const client of clients.splice(0)) {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release();
        }
        await dropSchema(schema);
      },
      begin: async () => {
        const client = await appPool.connect();
        clients.push(client);
        await client.query('BEGIN');
        const finish = async (statement: string) => {
          await client.query(statement);
          clients.splice(clients.indexOf(client), 1);
          client.release();
        };
        return { tx: client, commit: () => finish('COMMIT'), rollback: () => finish('ROLLBACK') };
      },
    };
  });
});
