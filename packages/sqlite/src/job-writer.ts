import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { NewJob, NewUniqueJob } from '@errand/core';
import { sqlStatement } from './sql.ts';
import { prepare, type InsertJobParams } from './statements.ts';

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

/** Jobs per insert-jobs statement at most: 100 took less CPU than 25 or 500. */
const CHUNK = 100;

/** insert-jobs' parameters for one job, in its column order (sql/insert.sql). */
type JobValues = [
  task: string,
  queue: string,
  state: string,
  priority: number,
  payload: string,
  maxAttempts: number,
  runAt: number,
  createdAt: number,
  concurrencyKey: string | null,
];

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

/**
 * Inserts a batch with insert-jobs statements of up to CHUNK rows each, each prepared once per row
 * count and kept; returns the new ids in input order.
 */
function batchInserter(db: Database, tablePrefix: string): (jobs: readonly NewJob[]) => string[] {
  const text = sqlStatement('insert.sql', 'insert-jobs', tablePrefix);
  const row = /VALUES (\([?, ]+\))/.exec(text);
  if (row === null) {
    throw new Error('@errand/sqlite: sql/insert.sql "insert-jobs" has no VALUES row (a packaging bug)');
  }
  const statements = new Map<number, Statement<JobValues[number][], number>>();
  const statementFor = (rows: number): Statement<JobValues[number][], number> => {
    let statement = statements.get(rows);
    if (statement === undefined) {
      const values = `VALUES ${Array.from({ length: rows }, () => row[1]).join(', ')}`;
      statement = db
        .prepare<JobValues[number][], number>(text.replace(row[0], values))
        .safeIntegers(false)
        .pluck();
      statements.set(rows, statement);
    }
    return statement;
  };
  return (jobs) => {
    const ids: number[] = [];
    for (let start = 0; start < jobs.length; start += CHUNK) {
      const chunk = jobs.slice(start, start + CHUNK);
      const values = chunk.flatMap(jobValues);
      for (const id of statementFor(chunk.length).all(...values)) ids.push(id);
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
