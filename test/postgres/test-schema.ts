/**
 * Each PostgreSQL test works in a schema of its own, with a random name, dropped afterwards: tests
 * run side by side on one database without seeing each other's jobs.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { POSTGRES_URL } from '../support/services.ts';

export { POSTGRES_URL };

/** A fresh schema name: `errand_test_` and 12 random hex digits. */
export function testSchemaName(): string {
  return `errand_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it (nothing when it was never created). */
export async function dropSchema(schema: string, url: string = POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
