import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { Logger } from '@errand/core';
import type { ResolvedOptions } from './options.ts';
import type { Client } from './scripts.ts';

/**
 * errand's own connection: from `url` and `redis`, or ioredis's defaults (127.0.0.1:6379).
 *
 * ioredis reconnects on its own (retryStrategy: 50 ms more per attempt, at most 2 s apart); while
 * it does, commands wait in its offline queue and are sent on reconnect, or fail after
 * maxRetriesPerRequest attempts (20, about 10 s), and the worker's claim loop retries with backoff.
 * A command in flight when the connection drops is sent again on reconnect
 * (autoResendUnfulfilledCommands): a claim or insert that had already run then runs twice, which
 * the lease (for a claim) and at-least-once delivery (for an insert) absorb.
 */
export function openClient(options: ResolvedOptions): Client {
  return options.url === null ? new Redis(options.redis) : new Redis(options.url, options.redis);
}

/** Where a connection goes, for messages. */
export function describeServer(client: Client): string {
  if (client instanceof Redis) {
    const { host, port, path } = client.options;
    return path ? String(path) : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
  }
  return 'the Redis Cluster';
}

/**
 * Logs a connection's losses and recoveries: one warning when it drops (or fails to connect),
 * one line when it is back. Also keeps ioredis from printing "Unhandled error event" for every
 * failed reconnect attempt. Only for connections errand opened itself.
 */
export function watchConnection(
  client: Client,
  name: string,
  logger: Logger,
): { readonly closing: () => void } {
  let lostAt: number | null = null;
  let everReady = false;
  let closing = false;
  const lost = (error?: Error) => {
    if (lostAt !== null || closing) return;
    lostAt = performance.now();
    const where = describeServer(client);
    const message = everReady
      ? `lost the ${name} connection to Redis at ${where}; reconnecting`
      : `cannot connect the ${name} connection to Redis at ${where} yet; retrying`;
    logger.warn(message, error ? { error } : undefined);
  };
  client.on('error', (error: Error) => lost(error));
  client.on('close', () => {
    if (everReady) lost();
  });
  client.on('ready', () => {
    if (lostAt !== null) {
      logger.info(
        `the ${name} connection to Redis at ${describeServer(client)} is back after ${Math.round(performance.now() - lostAt)} ms`,
      );
    }
    lostAt = null;
    everReady = true;
  });
  // Call before quit() or disconnect(): that close is no loss.
  return {
    closing: () => {
      closing = true;
    },
  };
}

/** Closes a connection errand opened: QUIT when it is up, else drop it (no waiting on a dead server). */
export async function closeClient(client: Client, closing: () => void): Promise<void> {
  closing();
  try {
    if (client.status === 'ready') {
      await client.quit();
      return;
    }
  } catch {
    // Falls through to disconnect().
  }
  client.disconnect();
}

/** An evicted key is a lost job: warn unless the server is set to refuse writes instead. */
export async function checkEvictionPolicy(client: Client, logger: Logger): Promise<void> {
  let info: string;
  try {
    info = await client.info('memory');
  } catch {
    return; // INFO may be disabled (some managed services); the docs say what to set.
  }
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy !== undefined && policy !== 'noeviction') {
    logger.warn(
      `Redis at ${describeServer(client)} has maxmemory-policy ${policy}: when it is full it evicts keys, ` +
        'and an evicted key is a lost or broken job. Set maxmemory-policy noeviction for errand.',
    );
  }
}
