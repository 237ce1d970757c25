import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { NewJob, NewUniqueJob } from '@errand/core';
import { prepare, preparePlucked, type InsertJobParams } from './statements.ts';

/**
 * The inserts of one connection, as better-sqlite3 transaction functions: run with .immediate()
 * they are errand's own IMMEDIATE transaction; called plainly inside a caller's open transaction
 * they are a SAVEPOINT in it, so each call stays all or none even if the caller catches our error
 * and goes on to commit.
 */
export interface JobWriter {
  insertBatch: Transaction<(jobs: readonly NewJob[]) => string[]>;
  insertUnique: Transaction<(job: NewUniqueJob, now: number) => { id: string; created: boolean }>;
}

/** How a unique job holds its key: unique_key, unique_states (JSON), unique_until. */
type UniqueColumns = [uniqueKey: string, uniqueStates: string, uniqueUntil: number | null];

/** A statement that returns the ids of the jobs it inserted (insert-jobs). */
export type InsertJobs = Statement<[{ jobs: string }], number>;

/** Runs insert-jobs for a batch and returns the new ids, in input order. */
export function insertBatch(statement: InsertJobs): (jobs: readonly NewJob[]) => string[] {
  return (jobs) => {
    if (jobs.length === 0) return [];
    const ids = statement.all({ jobs: JSON.stringify(jobs.map(jobColumns)) });
    // Ids increase in insertion order, which is the batch's order.
    return ids.sort((a, b) => a - b).map(String);
  };
}

const COLUMNS = [
  'task',
  'queue',
  'state',
  'priority',
  'payload',
  'maxAttempts',
  'runAt',
  'createdAt',
] as const;

/**
 * A job as insert-jobs' array of columns. A value SQLite could not be bound to (an object, a
 * boolean, a bigint) throws here, as binding it would: JSON would quietly store it as text.
 */
function jobColumns(job: NewJob): unknown[] {
  const columns: unknown[] = COLUMNS.map((field) => job[field]);
  columns.push(job.concurrencyKey ?? null);
  for (const [i, value] of columns.entries()) {
    if (value !== null && value !== undefined && typeof value !== 'string' && typeof value !== 'number') {
      throw new TypeError(
        `insert: a job's ${COLUMNS[i] ?? 'concurrencyKey'} must be a string or a number (got ${typeof value})`,
      );
    }
  }
  return columns;
}

export function jobWriter(db: Database, tablePrefix: string): JobWriter {
  const insertJobs: InsertJobs = preparePlucked(db, 'insert.sql', 'insert-jobs', tablePrefix);
  const insertJob = prepare<InsertJobParams>(db, 'insert.sql', 'insert-job', tablePrefix);
  const findHolder = prepare<[{ uniqueKey: string; now: number }], { id: number }>(
    db,
    'unique.sql',
    'find-unique-holder',
    tablePrefix,
  );
  return {
    insertBatch: db.transaction(insertBatch(insertJobs)),
    // The lookup and the insert in one transaction: the write lock (taken by .immediate(), or held
    // by the caller's transaction by the time it commits) keeps another holder from slipping in.
    insertUnique: db.transaction((job: NewUniqueJob, now: number) => {
      const holder = findHolder.get({ uniqueKey: job.uniqueKey, now });
      if (holder !== undefined) return { id: String(holder.id), created: false };
      const unique: UniqueColumns = [job.uniqueKey, JSON.stringify(job.uniqueStates), job.uniqueUntil];
      const { lastInsertRowid } = insertJob.run(
        job.task,
        job.queue,
        job.state,
        job.priority,
        job.payload,
        job.maxAttempts,
        job.runAt,
        job.createdAt,
        job.concurrencyKey ?? null,
        ...unique,
      );
      return { id: String(lastInsertRowid), created: true };
    }),
  };
}
