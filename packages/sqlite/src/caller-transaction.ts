import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { NewJob } from '@errand/core';
import { prepareInsert, type InsertJobParams } from './statements.ts';

export type InsertBatch = Transaction<(jobs: readonly NewJob[]) => string[]>;

/** Runs insert-job once per job and returns the new ids, in input order. */
export function insertRows(statement: Statement<InsertJobParams>): (jobs: readonly NewJob[]) => string[] {
  return (jobs) => {
    const ids = new Array<string>(jobs.length);
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      const { lastInsertRowid } = statement.run(
        job.task,
        job.queue,
        job.state,
        job.priority,
        job.payload,
        job.maxAttempts,
        job.runAt,
        job.createdAt,
      );
      ids[i] = String(lastInsertRowid);
    }
    return ids;
  };
}

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
 * Inserts that join a caller's open transaction (`insert(jobs, { tx })`). The caller's connection
 * may be errand's own or another connection to the same file; each one is checked once, gets its
 * own prepared statement, and is remembered for as long as it lives.
 */
export class CallerTransactions {
  readonly #own: Database;
  readonly #ownFile: string | null;
  readonly #tablePrefix: string;
  readonly #ownInsert: InsertBatch;
  readonly #byConnection = new WeakMap<Database, InsertBatch>();

  constructor(own: Database, tablePrefix: string, ownInsert: Statement<InsertJobParams>) {
    this.#own = own;
    this.#ownFile = databaseFile(own);
    this.#tablePrefix = tablePrefix;
    // Called inside the caller's open transaction, better-sqlite3 runs this as a SAVEPOINT: the batch
    // stays all or none even if the caller catches our error and goes on to commit.
    this.#ownInsert = own.transaction(insertRows(ownInsert));
  }

  /** The insert to run on `tx`, after checking it is an open transaction on our database. */
  insertBatch(tx: unknown): InsertBatch {
    const connection = this.#connection(tx);
    if (!connection.open || !connection.inTransaction) {
      throw new Error(
        `insert: tx must be a better-sqlite3 Database inside an open transaction (after db.exec('BEGIN IMMEDIATE'), ` +
          `before COMMIT), but it is ${connection.open ? 'not in a transaction' : 'closed'}. Note that ` +
          `db.transaction(fn) ends its transaction when fn returns, before an awaited insert runs.`,
      );
    }
    if (connection === this.#own) return this.#ownInsert;
    let batch = this.#byConnection.get(connection);
    if (batch === undefined) {
      const file = databaseFile(connection);
      if (this.#ownFile === null || file !== this.#ownFile) {
        throw new Error(
          `insert: tx is a connection to ${file ?? 'an in-memory database'}, but this errand backend stores jobs in ` +
            `${this.#ownFile ?? 'an in-memory database (only that very connection can join)'}; ` +
            `open your transaction on a connection to the same file.`,
        );
      }
      batch = connection.transaction(insertRows(prepareInsert(connection, this.#tablePrefix)));
      this.#byConnection.set(connection, batch);
    }
    return batch;
  }

  #connection(tx: unknown): Database {
    const candidate = tx as Partial<Record<keyof Database, unknown>> | null;
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      typeof candidate.prepare !== 'function' ||
      typeof candidate.transaction !== 'function' ||
      typeof candidate.inTransaction !== 'boolean'
    ) {
      throw new TypeError(
        'insert: with the sqlite backend, tx must be the better-sqlite3 Database on which you opened your ' +
          `transaction (got ${tx === null ? 'null' : typeof tx})`,
      );
    }
    return tx as Database;
  }
}
