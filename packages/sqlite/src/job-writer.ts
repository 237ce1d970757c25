import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { NewJob, NewUniqueJob } from '@errand/core';
import { prepare, prepareInsert, type InsertJobParams } from './statements.ts';

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
type UniqueColumns = [uniqueKey: string | null, uniqueStates: string | null, uniqueUntil: number | null];

const NOT_UNIQUE: UniqueColumns = [null, null, null];

/** Runs insert-job for one job and returns its id. */
export function insertRow(
  statement: Statement<InsertJobParams>,
  job: NewJob,
  unique: UniqueColumns = NOT_UNIQUE,
): string {
  const { lastInsertRowid } = statement.run(
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
  return String(lastInsertRowid);
}

/** Runs insert-job once per job and returns the new ids, in input order. */
export function insertRows(statement: Statement<InsertJobParams>): (jobs: readonly NewJob[]) => string[] {
  return (jobs) => {
    const ids = new Array<string>(jobs.length);
    for (let i = 0; i < jobs.length; i++) ids[i] = insertRow(statement, jobs[i]!);
    return ids;
  };
}

export function jobWriter(db: Database, tablePrefix: string): JobWriter {
  const insertJob = prepareInsert(db, tablePrefix);
  const findHolder = prepare<[{ uniqueKey: string; now: number }], { id: number }>(
    db,
    'unique.sql',
    'find-unique-holder',
    tablePrefix,
  );
  return {
    insertBatch: db.transaction(insertRows(insertJob)),
    // The lookup and the insert in one transaction: the write lock (taken by .immediate(), or held
    // by the caller's transaction by the time it commits) keeps another holder from slipping in.
    insertUnique: db.transaction((job: NewUniqueJob, now: number) => {
      const holder = findHolder.get({ uniqueKey: job.uniqueKey, now });
      if (holder !== undefined) return { id: String(holder.id), created: false };
      const unique: UniqueColumns = [job.uniqueKey, JSON.stringify(job.uniqueStates), job.uniqueUntil];
      return { id: insertRow(insertJob, job, unique), created: true };
    }),
  };
}
