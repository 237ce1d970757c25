import type { Database, Transaction } from 'better-sqlite3';
import type { NewJob, NewUniqueJob } from '@errand/core';
import { multiRowStatement, ROWS_PER_STATEMENT } from './multi-row.ts';
import { prepare, type InsertJobParams, type JobValues } from './statements.ts';

/**
 * The inserts of one connection. insertBatch and insertUnique are better-sqlite3 transaction
 * functions: run with .immediate() they are errand's own IMMEDIATE transaction; called plainly
 * inside a caller's open transaction they are a SAVEPOINT in it, so each call stays all or none
 * even if the caller catches our error and goes on to commit.
 */
export interface JobWriter {
  /** Inserts a batch and returns the new ids in input order; call it inside a transaction. */
  insertJobs: (jobs: readonly NewJob[]) => string[];
  insertBatch: Transaction<(jobs: readonly NewJob[]) => string[]>;
  insertUnique: Transaction<(job: NewUniqueJob, now: number) => { id: string; created: boolean }>;
}

export function jobWriter(db: Database, tablePrefix: string): JobWriter {
  const insertJobs = batchInserter(db, tablePrefix);
  const insertJob = prepare<InsertJobParams>(db, 'insert.sql', 'insert-job', tablePrefix);
  const findHolder = prepare<[{ uniqueKey: string; now: number }], { id: number }>(
    db,
    'unique.sql',
    'find-unique-holder',
    tablePrefix,
  );
  return {
    insertJobs,
    insertBatch: db.transaction(insertJobs),
    // The lookup and the insert in one transaction: the write lock (taken by .immediate(), or held
    // by the caller's transaction by the time it commits) keeps another holder from slipping in.
    insertUnique: db.transaction((job: NewUniqueJob, now: number) => {
      const holder = findHolder.get({ uniqueKey: job.uniqueKey, now });
      if (holder !== undefined) return { id: String(holder.id), created: false };
      const { lastInsertRowid } = insertJob.run(
        ...jobValues(job),
        job.uniqueKey,
        JSON.stringify(job.uniqueStates),
        job.uniqueUntil,
      );
      return { id: String(lastInsertRowid), created: true };
    }),
  };
}

/** Inserts a batch with insert-jobs statements of up to 100 rows; returns the new ids in input order. */
function batchInserter(db: Database, tablePrefix: string): (jobs: readonly NewJob[]) => string[] {
  const statementFor = multiRowStatement<JobValues[number]>(db, 'insert.sql', 'insert-jobs', tablePrefix);
  return (jobs) => {
    const ids: number[] = [];
    for (let start = 0; start < jobs.length; start += ROWS_PER_STATEMENT) {
      const chunk = jobs.slice(start, start + ROWS_PER_STATEMENT);
      for (const id of statementFor(chunk.length).all(...chunk.flatMap(jobValues))) ids.push(id);
    }
    // Ids increase in insertion order, which is the batch's order.
    return ids.sort((a, b) => a - b).map(String);
  };
}

function jobValues(job: NewJob): JobValues {
  return [
    job.task,
    job.queue,
    job.state,
    job.priority,
    job.payload,
    job.maxAttempts,
    job.runAt,
    job.createdAt,
    job.concurrencyKey ?? null,
  ];
}
