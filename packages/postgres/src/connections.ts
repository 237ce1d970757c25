import pg from 'pg';
import type { ClientConfig, Pool, PoolClient } from 'pg';
import type { Logger } from '@errand/core';
import type { ConnectionSource } from './options.ts';

/**
 * errand's connections: the pool its queries run on (its own, or the app's) and, on demand, a
 * dedicated client for LISTEN with the same settings.
 *
 * A connection that the server drops while it sits idle in the pool makes pg emit 'error' on the
 * pool; with no listener, Node would crash the process. errand's own pool gets a listener that
 * logs it (pg has already removed that connection; the next query opens a fresh one). An app's pool
 * is the app's to listen on, as pg's documentation asks.
 */
export class Connections {
  readonly pool: Pool;
  readonly #ownPool: boolean;
  readonly #clientConfig: ClientConfig;
  readonly #logger: Logger;
  #lastIdleErrorAt = 0;

  constructor(source: ConnectionSource, logger: Logger) {
    this.#logger = logger;
    if (source.kind === 'app-pool') {
      this.pool = source.pool;
      this.#ownPool = false;
      // pg keeps the settings a Pool was made with here; the LISTEN client copies them.
      this.#clientConfig = { ...(source.pool as Pool & { options?: ClientConfig }).options };
    } else {
      this.pool = new pg.Pool(source.config);
      this.#ownPool = true;
      this.#clientConfig = source.config;
      this.pool.on('error', (error) => this.#onIdleError(error));
    }
  }

  /** host:port/database, for error messages (never the password). */
  get target(): string {
    return describeTarget(this.#clientConfig);
  }

  /**
   * A fresh client, not from the pool (not yet connected), for a connection that lives long and sits
   * idle (LISTEN): TCP keep-alive probes from 10 s of silence, so a peer that vanished is noticed.
   */
  newClient(): pg.Client {
    return new pg.Client({ keepAlive: true, keepAliveInitialDelayMillis: 10_000, ...this.#clientConfig });
  }

  /**
   * A pooled client for a few statements in a row (a transaction). While it is checked out, a
   * connection error is emitted on the client itself: the listener added here keeps that from
   * crashing the process, and the statement in progress fails with it. release() it with the error
   * (if any), so a broken connection is not handed out again.
   */
  async checkout(): Promise<PoolClient> {
    const client = await this.pool.connect();
    client.on('error', ignoreWhileCheckedOut);
    const release = client.release.bind(client);
    client.release = (error?: Error | boolean) => {
      client.off('error', ignoreWhileCheckedOut);
      release(error);
    };
    return client;
  }

  /** Ends errand's own pool; an app's pool is left to the app. */
  async end(): Promise<void> {
    if (this.#ownPool) await this.pool.end();
  }

  #onIdleError(error: Error): void {
    // A server restart drops every idle connection at once: one line per burst is enough.
    const now = Date.now();
    if (now - this.#lastIdleErrorAt < 1_000) return;
    this.#lastIdleErrorAt = now;
    this.#logger.warn(
      'postgres: an idle connection was closed by the server; the next query opens a new one',
      {
        error,
      },
    );
  }
}

function ignoreWhileCheckedOut(): void {
  // The query running on the client fails with the same error, and its caller handles that.
}

/** host:port/database of a client's settings, for error messages (never the password). */
export function describeTarget(config: ClientConfig): string {
  if (config.connectionString !== undefined) {
    try {
      const url = new URL(config.connectionString);
      return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
    } catch {
      return 'the server in connectionString';
    }
  }
  const host = typeof config.host === 'string' ? config.host : (process.env.PGHOST ?? 'localhost');
  const port = config.port ?? process.env.PGPORT ?? 5432;
  const database = config.database ?? process.env.PGDATABASE ?? '';
  return `${host}:${port}/${database}`;
}
