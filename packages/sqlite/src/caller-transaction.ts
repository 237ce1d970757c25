import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { jobWriter, type JobWriter } from './job-writer.ts';

/** The file behind a connection, symlinks resolved; null for an in-memory or temporary database. */
export function databaseFile(db: Database): string | null {
  if (db.memory || db.name === '') return null;
  const absolute = resolve(db.name);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/**
 * Inserts that join a caller's open transaction (`insert(jobs, { tx })`, `insertUnique(job, { tx })`).
 * The caller's connection may be errand's own or another connection to the same file; each one is
 * checked once, gets its own prepared statements, and is remembered for as long as it lives.
 */
export class CallerTransactions {
  readonly #own: Database;
  readonly #ownFile: string | null;
  readonly #tablePrefix: string;
  readonly #ownWriter: JobWriter;
  readonly #byConnection = new WeakMap<Database, JobWriter>();

  constructor(own: Database, tablePrefix: string, ownWriter: JobWriter) {
    this.#own = own;
    this.#ownFile = databaseFile(own);
    this.#tablePrefix = tablePrefix;
    this.#ownWriter = ownWriter;
  }

  /**
   * The inserts to call plainly (a SAVEPOINT) on `tx`, after checking it is an open transaction on
   * our database. `call` names the backend method in errors.
   */
  writer(tx: unknown, call: string): JobWriter {
    const connection = this.#connection(tx, call);
    if (!connection.open || !connection.inTransaction) {
      throw new Error(
        `${call}: tx must be a better-sqlite3 Database inside an open transaction (after db.exec('BEGIN IMMEDIATE'), ` +
          `before COMMIT), but it is ${connection.open ? 'not in a transaction' : 'closed'}. Note that ` +
          `db.transaction(fn) ends its transaction when fn returns, before an awaited insert runs.`,
      );
    }
    if (connection === this.#own) return this.#ownWriter;
    let writer = this.#byConnection.get(connection);
    if (writer === undefined) {
      const file = databaseFile(connection);
      if (this.#ownFile === null || file !== this.#ownFile) {
        throw new Error(
          `${call}: tx is a connection to ${file ?? 'an in-memory database'}, but this errand backend stores jobs in ` +
            `${this.#ownFile ?? 'an in-memory database (only that very connection can join)'}; ` +
            `open your transaction on a connection to the same file.`,
        );
      }
      writer = jobWriter(connection, this.#tablePrefix);
      this.#byConnection.set(connection, writer);
    }
    return writer;
  }

  #connection(tx: unknown, call: string): Database {
    const candidate = tx as Partial<Record<keyof Database, unknown>> | null;
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      typeof candidate.prepare !== 'function' ||
      typeof candidate.transaction !== 'function' ||
      typeof candidate.inTransaction !== 'boolean'
    ) {
      throw new TypeError(
        `${call}: with the sqlite backend, tx must be the better-sqlite3 Database on which you opened your ` +
          `transaction (got ${tx === null ? 'null' : typeof tx})`,
      );
    }
    return tx as Database;
  }
}
