import type { Database, Statement } from 'better-sqlite3';
import type { FinishedCount, JobState, StateCount } from '@errand/core';
import { JOB_COLUMNS, type JobRow, type ScheduleRow, type WorkerRow } from './rows.ts';
import { sqlStatement } from './sql.ts';

/** insert-jobs' parameters for one job, in its column order (sql/insert.sql). */
export type JobValues = [
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

/** insert-job's positional parameters: a job's values, then its unique key and how it holds it. */
export type InsertJobParams = [
  ...JobValues,
  uniqueKey: string | null,
  /** JSON array of states. */
  uniqueStates: string | null,
  uniqueUntil: number | null,
];

export interface ClaimParams {
  tasks: string;
  queues: string | null;
  /** JSON array of queue names, '[]' for none. */
  excludeQueues: string;
  limit: number;
  now: number;
  leaseToken: string;
  leaseUntil: number;
  workerId: string;
}

/** The list-*-ids statements' parameters (sql/list.sql). */
export interface ListIdsParams {
  queue: string;
  task: string;
  state: JobState;
  before: bigint | number;
  limit: number;
}

/** claim-candidates' parameters: a claim's filters, and the concurrency keys with no room left. */
export type CandidateParams = Omit<ClaimParams, 'leaseToken' | 'leaseUntil' | 'workerId'> & {
  /** JSON array of concurrency keys. */
  fullKeys: string;
};

/** A list-<group>-heads row: the newest id below the cursor of one pair and state, if any. */
export interface ListHead {
  queue: string;
  task: string;
  state: JobState;
  head: number | null;
}

/** One list index's statements: the waiting or the finished jobs' (sql/list.sql, list-<group>-*). */
export interface ListGroupStatements {
  heads: Statement<[{ queue: string | null; task: string | null; states: string; before: bigint }], ListHead>;
  /** Plucked: the ids. */
  ids: Statement<[ListIdsParams], number>;
}

/** Every statement errand runs, prepared once per connection and reused on every call. */
export interface Statements {
  findUniqueHolder: Statement<[{ uniqueKey: string; now: number }], { id: number }>;
  claimJobs: Statement<[ClaimParams], JobRow>;
  pruneRateStarts: Statement<[{ rateKey: string; before: number }]>;
  countRateStarts: Statement<[{ rateKey: string; since: number }], { started: number }>;
  recordRateStarts: Statement<[{ rateKey: string; now: number; starts: number }]>;
  runningPerKey: Statement<[], { concurrencyKey: string; running: number }>;
  claimCandidates: Statement<[CandidateParams], { id: number; concurrencyKey: string | null }>;
  claimIds: Statement<
    [{ ids: string; now: number; leaseToken: string; leaseUntil: number; workerId: string }],
    JobRow
  >;
  renewLease: Statement<[{ id: string; leaseToken: string; leaseUntil: number }]>;
  recordProgress: Statement<[{ id: string; leaseToken: string; progress: string }]>;
  findExpired: Statement<[{ now: number; limit: number }], JobRow>;
  getJob: Statement<[{ id: string }], JobRow>;
  listAll: Statement<[{ before: bigint; limit: number }], JobRow>;
  /** Plucked: the ids. */
  listRunningIds: Statement<
    [{ task: string | null; queue: string | null; before: bigint | number; limit: number }],
    number
  >;
  listGroups: Record<'waiting' | 'finished', ListGroupStatements>;
  listRows: Statement<[{ ids: string }], JobRow>;
  finishedCounts: Statement<[{ since: number; until: number; bucketMs: number }], FinishedCount>;
  deleteJob: Statement<[{ id: string; from: string }]>;
  jobStats: Statement<[], StateCount>;
  pruneJobs: Statement<[{ before: number; limit: number }]>;
  recordWorker: Statement<[Omit<WorkerRow, 'id'> & { id: string }]>;
  listWorkers: Statement<[{ seenSince: number }], WorkerRow>;
  removeWorker: Statement<[{ id: string }]>;
  requestCancel: Statement<[{ id: string }]>;
  cancelRequested: Statement<[{ ids: string }], { id: number }>;
  pauseQueue: Statement<[{ queue: string }]>;
  resumeQueue: Statement<[{ queue: string }]>;
  pausedQueues: Statement<[], { queue: string }>;
  recordSchedule: Statement<
    [{ name: string; task: string; spec: string; payload: string; declaredAt: number }]
  >;
  listSchedules: Statement<[], ScheduleRow>;
  claimTick: Statement<[{ name: string; tick: number }]>;
  setSchedulePaused: Statement<[{ name: string; paused: number }]>;
}

/**
 * Prepares a statement that returns plain numbers even when the app's connection was switched to
 * BigInts with defaultSafeIntegers(true).
 */
export function prepare<P extends unknown[], R = unknown>(
  db: Database,
  file: string,
  name: string,
  tablePrefix: string,
): Statement<P, R> {
  return db.prepare<P, R>(sqlStatement(file, name, tablePrefix)).safeIntegers(false);
}

/** As prepare(), for a statement of one column: it returns that column's values, not rows. */
function preparePlucked<P extends unknown[], R>(
  db: Database,
  file: string,
  name: string,
  tablePrefix: string,
): Statement<P, R> {
  return prepare<P, R>(db, file, name, tablePrefix).pluck();
}

/**
 * As prepare(), for a statement that returns jobs: its rows come as arrays in JOB_COLUMNS order
 * (rows.ts, toRecord). Throws if the statement's columns are not those, in that order.
 */
function prepareJobRows<P extends unknown[]>(
  db: Database,
  file: string,
  name: string,
  tablePrefix: string,
): Statement<P, JobRow> {
  const statement = prepare<P, JobRow>(db, file, name, tablePrefix);
  const columns = statement.columns().map((column) => column.name);
  if (columns.join() !== JOB_COLUMNS.join()) {
    throw new Error(
      `@errand/sqlite: sql/${file} "${name}" returns ${columns.join(', ')}; a job's columns are ` +
        `${JOB_COLUMNS.join(', ')}, in that order (a packaging bug)`,
    );
  }
  return statement.raw();
}

export function prepareStatements(db: Database, tablePrefix: string): Statements {
  return {
    findUniqueHolder: prepare(db, 'unique.sql', 'find-unique-holder', tablePrefix),
    claimJobs: prepareJobRows(db, 'claim.sql', 'claim-jobs', tablePrefix),
    pruneRateStarts: prepare(db, 'limited-claim.sql', 'prune-rate-starts', tablePrefix),
    countRateStarts: prepare(db, 'limited-claim.sql', 'count-rate-starts', tablePrefix),
    recordRateStarts: prepare(db, 'limited-claim.sql', 'record-rate-starts', tablePrefix),
    runningPerKey: prepare(db, 'limited-claim.sql', 'running-per-key', tablePrefix),
    claimCandidates: prepare(db, 'limited-claim.sql', 'claim-candidates', tablePrefix),
    claimIds: prepareJobRows(db, 'limited-claim.sql', 'claim-ids', tablePrefix),
    renewLease: prepare(db, 'leases.sql', 'renew-lease', tablePrefix),
    recordProgress: prepare(db, 'leases.sql', 'record-progress', tablePrefix),
    findExpired: prepareJobRows(db, 'leases.sql', 'find-expired', tablePrefix),
    getJob: prepareJobRows(db, 'reads.sql', 'get-job', tablePrefix),
    listAll: prepareJobRows(db, 'list.sql', 'list-all', tablePrefix),
    listRunningIds: preparePlucked(db, 'list.sql', 'list-running-ids', tablePrefix),
    listGroups: {
      waiting: listGroupStatements(db, 'waiting', tablePrefix),
      finished: listGroupStatements(db, 'finished', tablePrefix),
    },
    listRows: prepareJobRows(db, 'list.sql', 'list-rows', tablePrefix),
    finishedCounts: prepare(db, 'reads.sql', 'finished-counts', tablePrefix),
    deleteJob: prepare(db, 'prune.sql', 'delete-job', tablePrefix),
    jobStats: prepare(db, 'reads.sql', 'job-stats', tablePrefix),
    pruneJobs: prepare(db, 'prune.sql', 'prune-jobs', tablePrefix),
    recordWorker: prepare(db, 'workers.sql', 'record-worker', tablePrefix),
    listWorkers: prepare(db, 'workers.sql', 'list-workers', tablePrefix),
    removeWorker: prepare(db, 'workers.sql', 'remove-worker', tablePrefix),
    requestCancel: prepare(db, 'cancel.sql', 'request-cancel', tablePrefix),
    cancelRequested: prepare(db, 'cancel.sql', 'cancel-requested', tablePrefix),
    pauseQueue: prepare(db, 'queues.sql', 'pause-queue', tablePrefix),
    resumeQueue: prepare(db, 'queues.sql', 'resume-queue', tablePrefix),
    pausedQueues: prepare(db, 'queues.sql', 'paused-queues', tablePrefix),
    recordSchedule: prepare(db, 'schedules.sql', 'record-schedule', tablePrefix),
    listSchedules: prepare(db, 'schedules.sql', 'list-schedules', tablePrefix),
    claimTick: prepare(db, 'schedules.sql', 'claim-tick', tablePrefix),
    setSchedulePaused: prepare(db, 'schedules.sql', 'set-schedule-paused', tablePrefix),
  };
}

function listGroupStatements(
  db: Database,
  group: 'waiting' | 'finished',
  tablePrefix: string,
): ListGroupStatements {
  return {
    heads: prepare(db, 'list.sql', `list-${group}-heads`, tablePrefix),
    ids: preparePlucked(db, 'list.sql', `list-${group}-ids`, tablePrefix),
  };
}
