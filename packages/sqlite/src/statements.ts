import type { Database, Statement } from 'better-sqlite3';
import type { JobState, StateCount } from '@errand/core';
import type { JobRow, WorkerRow } from './rows.ts';
import { sqlStatement } from './sql.ts';

/** insert-job's positional parameters. */
export type InsertJobParams = [
  task: string,
  queue: string,
  state: string,
  priority: number,
  payload: string,
  maxAttempts: number,
  runAt: number,
  createdAt: number,
];

export interface ClaimParams {
  tasks: string;
  queues: string | null;
  limit: number;
  now: number;
  leaseToken: string;
  leaseUntil: number;
  workerId: string;
}

/** Flags are 0 or 1: better-sqlite3 binds no booleans. */
export interface TransitionParams {
  id: string;
  from: string;
  leaseToken: string | null;
  leaseExpiredBefore: number | null;
  to: JobState;
  setRunAt: number;
  runAt: number | null;
  setResult: number;
  result: string | null;
  setErrors: number;
  errors: string | null;
  setAttempt: number;
  attempt: number | null;
  setMaxAttempts: number;
  maxAttempts: number | null;
  setStartedAt: number;
  startedAt: number | null;
  setFinishedAt: number;
  finishedAt: number | null;
}

export interface ListParams {
  state: JobState | null;
  task: string | null;
  queue: string | null;
  before: bigint;
  limit: number;
}

/** Every statement errand runs, prepared once per connection and reused on every call. */
export interface Statements {
  insertJob: Statement<InsertJobParams>;
  claimJobs: Statement<[ClaimParams], JobRow>;
  transitionJob: Statement<[TransitionParams]>;
  renewLease: Statement<[{ id: string; leaseToken: string; leaseUntil: number }]>;
  recordProgress: Statement<[{ id: string; leaseToken: string; progress: string }]>;
  findExpired: Statement<[{ now: number; limit: number }], JobRow>;
  getJob: Statement<[{ id: string }], JobRow>;
  listJobs: Statement<[ListParams], JobRow>;
  jobStats: Statement<[], StateCount>;
  pruneJobs: Statement<[{ before: number; limit: number }]>;
  recordWorker: Statement<[Omit<WorkerRow, 'id'> & { id: string }]>;
  listWorkers: Statement<[{ seenSince: number }], WorkerRow>;
  removeWorker: Statement<[{ id: string }]>;
}

/**
 * Prepares a statement that returns plain numbers even when the app's connection was switched to
 * BigInts with defaultSafeIntegers(true).
 */
function prepare<P extends unknown[], R = unknown>(
  db: Database,
  file: string,
  name: string,
  tablePrefix: string,
): Statement<P, R> {
  return db.prepare<P, R>(sqlStatement(file, name, tablePrefix)).safeIntegers(false);
}

export function prepareInsert(db: Database, tablePrefix: string): Statement<InsertJobParams> {
  return prepare(db, 'insert.sql', 'insert-job', tablePrefix);
}

export function prepareStatements(db: Database, tablePrefix: string): Statements {
  return {
    insertJob: prepareInsert(db, tablePrefix),
    claimJobs: prepare(db, 'claim.sql', 'claim-jobs', tablePrefix),
    transitionJob: prepare(db, 'transition.sql', 'transition-job', tablePrefix),
    renewLease: prepare(db, 'leases.sql', 'renew-lease', tablePrefix),
    recordProgress: prepare(db, 'leases.sql', 'record-progress', tablePrefix),
    findExpired: prepare(db, 'leases.sql', 'find-expired', tablePrefix),
    getJob: prepare(db, 'reads.sql', 'get-job', tablePrefix),
    listJobs: prepare(db, 'reads.sql', 'list-jobs', tablePrefix),
    jobStats: prepare(db, 'reads.sql', 'job-stats', tablePrefix),
    pruneJobs: prepare(db, 'prune.sql', 'prune-jobs', tablePrefix),
    recordWorker: prepare(db, 'workers.sql', 'record-worker', tablePrefix),
    listWorkers: prepare(db, 'workers.sql', 'list-workers', tablePrefix),
    removeWorker: prepare(db, 'workers.sql', 'remove-worker', tablePrefix),
  };
}
