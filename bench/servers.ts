import { connect } from 'node:net';
import { POSTGRES_URL, REDIS_URL } from './targets.ts';

/** Whether a server answers at the URL's host and port (within a second). */
export function canConnect(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** The servers' versions, for the report's header. */
export async function serverVersions(reachable: { postgres: boolean; redis: boolean }) {
  let postgres = 'not reachable';
  let redis = 'not reachable';
  if (reachable.postgres) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    postgres = rows[0]!.server_version.split(' ')[0]!;
    await client.end();
  }
  if (reachable.redis) {
    const { Redis } = await import('ioredis');
    const client = new Redis(REDIS_URL);
    redis = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
    client.disconnect();
  }
  return { postgres, redis };
}

/**
 * Vacuums and analyzes every table of the given schemas, then checkpoints; answers the ms it took.
 * A server in production does this on its own after a fill of 1,000,000 rows (autovacuum analyzes
 * and vacuums the new rows; a checkpoint writes the thousands of buffers they dirtied). Done here,
 * before any drain, every library drains a store in that state and none pays for the fill's writes;
 * it matters on servers with autovacuum off, as this machine's is.
 */
export async function settlePostgres(schemas: string[]): Promise<number> {
  const startedAt = performance.now();
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = ANY($1)`,
      [schemas],
    );
    for (const { name } of rows) await client.query(`VACUUM (ANALYZE) ${name}`);
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
  return performance.now() - startedAt;
}
