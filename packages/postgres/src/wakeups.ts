import type pg from 'pg';
import type { Logger, Wakeups } from '@errand/core';
import type { Connections } from './connections.ts';
import { quoteIdentifier } from './sql.ts';
import type { Statements } from './statements.ts';

type Listener = (queues: readonly string[]) => void;

/** A NOTIFY payload must stay under 8000 bytes; queue names are ASCII, so characters are bytes. */
const MAX_PAYLOAD = 7_000;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/** Queue names joined by commas (queue names have no commas), in payloads short enough for NOTIFY. */
export function notifyPayloads(queues: Iterable<string>): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const queue of queues) {
    if (current !== '' && current.length + 1 + queue.length > MAX_PAYLOAD) {
      payloads.push(current);
      current = '';
    }
    current = current === '' ? queue : `${current},${queue}`;
  }
  if (current !== '') payloads.push(current);
  return payloads;
}

/**
 * Cross-process wake-ups with LISTEN/NOTIFY, on one channel per schema.
 *
 * notify() sends one NOTIFY on a pooled connection, gathering the calls made within one turn of the
 * event loop (a burst of single enqueues costs one NOTIFY, not hundreds).
 *
 * subscribe() opens one dedicated connection (LISTEN cannot live on a pooled one) shared by every
 * subscriber of this backend, and closes it with the last unsubscribe. When that connection is lost
 * it is reopened with backoff (100 ms doubling to 5 s), and logged; meanwhile workers find jobs by
 * polling. Once listening again, subscribers are woken for every queue heard of so far, in case jobs
 * were announced while nobody listened.
 */
export class PostgresWakeups implements Wakeups {
  readonly channel: string;
  readonly #connections: () => Connections;
  readonly #statements: Statements;
  readonly #logger: Logger;
  readonly #listeners = new Set<Listener>();
  /** Queues named by notifications so far: who to wake after a reconnection. */
  readonly #heard = new Set<string>();
  #client: pg.Client | null = null;
  #connecting: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #failures = 0;
  #lost = false;
  #closed = false;
  #pending: { queues: Set<string>; sent: Promise<void> } | null = null;

  constructor(schema: string, connections: () => Connections, statements: Statements, logger: Logger) {
    this.channel = `errand:${schema}`;
    this.#connections = connections;
    this.#statements = statements;
    this.#logger = logger;
  }

  async notify(queues: readonly string[]): Promise<void> {
    if (this.#closed) return;
    const { pool } = this.#connections();
    if (this.#pending === null) {
      const pending = { queues: new Set<string>(), sent: Promise.resolve() };
      pending.sent = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        this.#pending = null;
        await pool.query(this.#statements.notify(this.channel, notifyPayloads(pending.queues)));
      });
      this.#pending = pending;
    }
    for (const queue of queues) this.#pending.queues.add(queue);
    await this.#pending.sent;
  }

  async subscribe(listener: Listener): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('postgres backend: wakeups.subscribe() after close()');
    const connections = this.#connections();
    this.#listeners.add(listener);
    if (this.#client === null && this.#retryTimer === null)
      await (this.#connecting ??= this.#connect(connections));
    return async () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) await this.#stop();
    };
  }

  /** Stops listening for good. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#stop();
    await this.#pending?.sent.catch(() => undefined);
  }

  async #connect(connections: Connections): Promise<void> {
    const client = connections.newClient();
    // Errors after the connection is up (the server restarts, the network drops) arrive here, and
    // 'end' follows; either means this client is done.
    client.on('error', (error) => this.#onLost(connections, client, error));
    client.on('end', () => this.#onLost(connections, client, new Error('connection ended')));
    client.on('notification', (message) => this.#onNotification(message));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.channel)}`);
    } catch (error) {
      client.removeAllListeners('end');
      client.end().catch(() => undefined);
      this.#connecting = null;
      this.#retry(connections, error);
      return;
    }
    this.#connecting = null;
    if (this.#listeners.size === 0 || this.#closed) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    if (this.#lost) {
      this.#lost = false;
      this.#logger.warn('postgres: listening for new jobs again (LISTEN connection restored)');
      this.#wakeAll([...this.#heard]);
    }
  }

  #onNotification(message: pg.Notification): void {
    if (message.channel !== this.channel) return;
    const queues = message.payload ? message.payload.split(',') : [];
    for (const queue of queues) this.#heard.add(queue);
    this.#wakeAll(queues);
  }

  #wakeAll(queues: readonly string[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(queues);
      } catch (error) {
        this.#logger.error('a wake-up listener threw', { error });
      }
    }
  }

  #onLost(connections: Connections, client: pg.Client, error: unknown): void {
    if (this.#client !== client) return;
    this.#client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.#retry(connections, error);
  }

  #retry(connections: Connections, error: unknown): void {
    if (this.#closed || this.#listeners.size === 0 || this.#retryTimer !== null) return;
    const waitMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures++);
    this.#logger.warn(
      `postgres: ${this.#lost ? 'still cannot listen' : 'lost the LISTEN connection'} for new jobs; ` +
        `retrying in ${waitMs} ms (workers poll meanwhile)`,
      { error },
    );
    this.#lost = true;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connecting ??= this.#connect(connections);
    }, waitMs);
  }

  async #stop(): Promise<void> {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    await this.#connecting;
    const client = this.#client;
    this.#client = null;
    if (client !== null) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
