import { rmSync } from 'node:fs';
import path from 'node:path';
import type { AdapterSpec } from './adapters/adapter.ts';

/** The servers, from the environment (as the tests read them) with the local defaults. */
export const POSTGRES_URL =
  process.env.ERRAND_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The bench keeps to its own Redis database (and a key prefix per measurement, deleted after). */
export const REDIS_URL = process.env.ERRAND_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';

export type Backend = 'memory' | 'sqlite' | 'postgres' | 'redis';

/** A queue under test: errand on one backend, or a peer in one configuration. */
export interface Target {
  readonly key: string;
  /** As shown in the tables. */
  readonly name: string;
  readonly backend: Backend;
  /** For a peer: the errand target it is compared with. */
  readonly errand: string | undefined;
  /** The Node.js it runs on: the bench's own, or Node 22 (which pg-boss 11+ and graphile-worker 0.18 need). */
  readonly node: 'bench' | '22';
  /** A memory store lives in one process: its producer and worker share it. */
  readonly sharedProcess: boolean;
  /** Another target whose enqueue figures are this one's (the same calls, another worker set-up). */
  readonly enqueueOf?: string;
  spec(namespace: string): AdapterSpec;
}

/** Every target, in table order: each errand backend, then its peers. */
export function makeTargets(scratchDir: string): Target[] {
  const errand = (
    backend: Backend,
    url: (namespace: string) => string,
    node: Target['node'],
    tuning: { prefetch?: number; keepSucceeded?: false } = {},
  ): Target => {
    const { prefetch, keepSucceeded } = tuning;
    const tuned = prefetch !== undefined || keepSucceeded !== undefined;
    return {
      key: [backend, prefetch !== undefined && 'prefetch', keepSucceeded === false && 'lean']
        .filter(Boolean)
        .join('-'),
      name: [
        `errand-${backend}`,
        prefetch !== undefined && ` prefetch ${prefetch}`,
        keepSucceeded === false && ', succeeded not kept',
      ]
        .filter(Boolean)
        .join(''),
      backend,
      errand: undefined,
      node,
      sharedProcess: backend === 'memory',
      // The same enqueue calls as the plain target: only the worker differs.
      ...(tuned && { enqueueOf: `errand-${backend}` }),
      spec: (namespace) => ({ library: 'errand', url: url(namespace), namespace, ...tuning }),
    };
  };
  const postgresUrl = (namespace: string) => `${POSTGRES_URL}?schema=${namespace}`;
  const peer = (
    key: string,
    name: string,
    backend: Backend,
    library: AdapterSpec['library'],
    variant?: string,
    enqueueOf?: string,
  ): Target => ({
    key,
    name,
    backend,
    errand: `errand-${backend}`,
    node: '22',
    sharedProcess: false,
    ...(enqueueOf && { enqueueOf }),
    spec: (namespace) => ({
      library,
      url: backend === 'postgres' ? POSTGRES_URL : REDIS_URL,
      namespace,
      ...(variant && { variant }),
    }),
  });
  return [
    errand('memory', () => 'memory:', '22'),
    // better-sqlite3 is built for the bench's Node (20 here): SQLite runs there.
    errand('sqlite', (namespace) => `sqlite:${path.join(scratchDir, `${namespace}.db`)}`, 'bench'),
    errand('postgres', postgresUrl, '22'),
    // As many jobs claimed ahead as graphile-worker fastest's local queue holds.
    errand('postgres', postgresUrl, '22', { prefetch: 500 }),
    // And deleting each job as it succeeds, as graphile-worker does (TaskOptions.keepSucceeded).
    errand('postgres', postgresUrl, '22', { prefetch: 500, keepSucceeded: false }),
    peer('graphile-default', 'graphile-worker default', 'postgres', 'graphile-worker', 'default'),
    peer(
      'graphile-fastest',
      'graphile-worker fastest',
      'postgres',
      'graphile-worker',
      'fastest',
      'graphile-worker default',
    ),
    peer('pg-boss', 'pg-boss', 'postgres', 'pg-boss'),
    errand('redis', (namespace) => `${withPrefix(REDIS_URL, namespace)}`, '22'),
    peer('bullmq', 'BullMQ', 'redis', 'bullmq'),
  ];
}

function withPrefix(url: string, prefix: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('prefix', prefix);
  return parsed.href;
}

/** Removes what a measurement left: its schema, its keys or its file. */
export async function dropNamespace(target: Target, namespace: string, scratchDir: string): Promise<void> {
  switch (target.backend) {
    case 'memory':
      return;
    case 'sqlite':
      for (const suffix of ['', '-wal', '-shm']) {
        rmSync(path.join(scratchDir, `${namespace}.db${suffix}`), { force: true });
      }
      return;
    case 'postgres': {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
      } finally {
        await client.end();
      }
      return;
    }
    case 'redis': {
      const { Redis } = await import('ioredis');
      const redis = new Redis(REDIS_URL);
      try {
        // errand's keys are `{prefix}:…`, BullMQ's `prefix:queue:…`; the prefix is unique to the measurement.
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `*${namespace}*`, 'COUNT', 5_000);
          cursor = next;
          if (keys.length > 0) await redis.unlink(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
      return;
    }
  }
}
