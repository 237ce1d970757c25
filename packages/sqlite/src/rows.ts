import type { JobRecord, JobState, ScheduleRecord, WorkerRecord } from '@errand/core';

/**
 * The columns of a job, in the order every statement that returns jobs selects them (get-job,
 * list-all, list-rows, claim-jobs, claim-ids, find-expired), named as in JobRecord.
 * prepareJobRows() checks each statement against this list when it prepares it.
 */
export const JOB_COLUMNS = [
  'id',
  'task',
  'queue',
  'state',
  'priority',
  'payload',
  'result',
  'progress',
  'errors',
  'attempt',
  'maxAttempts',
  'runAt',
  'createdAt',
  'startedAt',
  'finishedAt',
  'leaseToken',
  'leaseUntil',
  'workerId',
  'uniqueKey',
  'concurrencyKey',
  'cancelRequested',
] as const;

/**
 * A job row as the statements return it: an array in JOB_COLUMNS order (better-sqlite3's raw
 * mode), the id still an integer and cancelRequested still 0 or 1. Raw rows and one object literal
 * per job (toRecord) cost a third of the CPU of better-sqlite3's row objects, whose 21 properties
 * it adds one by one (100 rows: ~0.9 -> ~0.3 ms).
 */
export type JobRow = [
  id: number,
  task: string,
  queue: string,
  state: JobState,
  priority: number,
  payload: string,
  result: string | null,
  progress: string | null,
  errors: string,
  attempt: number,
  maxAttempts: number,
  runAt: number,
  createdAt: number,
  startedAt: number | null,
  finishedAt: number | null,
  leaseToken: string | null,
  leaseUntil: number | null,
  workerId: string | null,
  uniqueKey: string | null,
  concurrencyKey: string | null,
  cancelRequested: number,
];

export function toRecord(row: JobRow): JobRecord {
  return {
    id: String(row[0]),
    task: row[1],
    queue: row[2],
    state: row[3],
    priority: row[4],
    payload: row[5],
    result: row[6],
    progress: row[7],
    errors: row[8],
    attempt: row[9],
    maxAttempts: row[10],
    runAt: row[11],
    createdAt: row[12],
    startedAt: row[13],
    finishedAt: row[14],
    leaseToken: row[15],
    leaseUntil: row[16],
    workerId: row[17],
    uniqueKey: row[18],
    concurrencyKey: row[19],
    cancelRequested: row[20] === 1,
  };
}

/** Claim order: priority (lower first), then runAt, then id. */
export function byClaimOrder(a: JobRow, b: JobRow): number {
  return a[4] - b[4] || a[11] - b[11] || a[0] - b[0];
}

/** Highest id first. */
export function byIdDescending(a: JobRow, b: JobRow): number {
  return b[0] - a[0];
}

/** A schedule row: paused still 0 or 1. */
export type ScheduleRow = Omit<ScheduleRecord, 'paused'> & { paused: number };

/** A worker row: queues and tasks still JSON text. */
export interface WorkerRow extends Omit<WorkerRecord, 'queues' | 'tasks'> {
  queues: string | null;
  tasks: string;
}

export function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return {
    ...row,
    queues: row.queues === null ? null : (JSON.parse(row.queues) as string[]),
    tasks: JSON.parse(row.tasks) as string[],
  };
}

export function toScheduleRecord(row: ScheduleRow): ScheduleRecord {
  return { ...row, paused: row.paused === 1 };
}
