import { isJobState, type JobRecord, type JobState, type JobTransition, type NewJob } from '@errand/core';
import type { Arg } from './scripts.ts';

/**
 * Between JobRecords and the scripts' arguments and replies. Every value is checked here, before
 * a script runs: a script that failed half way would leave half its writes behind, so the scripts
 * only ever get values they can store.
 */

/** A job as read_job (common.lua) returns it: FIELDS in order, the id last; null for a null field. */
type Row = (string | null)[];

/** A job id as insert() returns it, below 2^53 so that Lua's numbers hold it exactly. */
const ID = /^[1-9][0-9]{0,15}$/;

export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id) && Number(id) <= Number.MAX_SAFE_INTEGER;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** The 8 ARGV values of one new job (insert.lua), after checking what a store must refuse. */
export function newJobArgs(job: NewJob, index: number, count: number, into: Arg[]): void {
  const where = `insert: job ${index + 1} of ${count}`;
  if (job === null || typeof job !== 'object') throw new TypeError(`${where} is ${describe(job)}, not a job`);
  for (const field of ['task', 'queue', 'payload'] as const) {
    if (typeof job[field] !== 'string') {
      throw new TypeError(`${where}: "${field}" must be a string (got ${describe(job[field])})`);
    }
  }
  for (const field of ['priority', 'maxAttempts', 'runAt', 'createdAt'] as const) {
    if (!Number.isFinite(job[field])) {
      throw new TypeError(`${where}: "${field}" must be a finite number (got ${describe(job[field])})`);
    }
  }
  if (job.state !== 'queued' && job.state !== 'scheduled') {
    throw new TypeError(`${where}: "state" must be "queued" or "scheduled" (got ${describe(job.state)})`);
  }
  into.push(
    job.task,
    job.queue,
    job.state,
    job.priority,
    job.payload,
    job.maxAttempts,
    job.runAt,
    job.createdAt,
  );
}

/** The optional fields of a change, in the order of OPTIONAL in transition.lua. */
const OPTIONAL = [
  'leaseToken',
  'leaseExpiredBefore',
  'runAt',
  'result',
  'errors',
  'attempt',
  'maxAttempts',
  'startedAt',
  'finishedAt',
] as const;

type Check = (value: unknown) => boolean;
const finite: Check = (value) => Number.isFinite(value);
const text: Check = (value) => typeof value === 'string';
const nullable =
  (check: Check): Check =>
  (value) =>
    value === null || check(value);

/** What each optional field may hold; null only where the record's field is nullable. */
const CHECKS: Record<(typeof OPTIONAL)[number], [Check, string]> = {
  leaseToken: [text, 'a string'],
  leaseExpiredBefore: [finite, 'a finite number'],
  runAt: [finite, 'a finite number'],
  result: [nullable(text), 'a string or null'],
  errors: [text, 'a string'],
  attempt: [(value) => Number.isSafeInteger(value) && (value as number) >= 0, 'a whole number >= 0'],
  maxAttempts: [finite, 'a finite number'],
  startedAt: [nullable(finite), 'a finite number or null'],
  finishedAt: [nullable(finite), 'a finite number or null'],
};

/**
 * The ARGV values of one change (transition.lua): id, to, from, mask, values. Returns false for a
 * change that cannot apply because no job has its id (it is reported false without a round trip).
 */
export function transitionArgs(change: JobTransition, into: Arg[]): boolean {
  const where = `transition of job ${describe(change?.id)}`;
  if (!isJobState(change.to))
    throw new TypeError(`${where}: "to" must be a job state (got ${describe(change.to)})`);
  if (!Array.isArray(change.from) || !change.from.every(isJobState)) {
    throw new TypeError(`${where}: "from" must be an array of job states`);
  }
  const values: Arg[] = [];
  let mask = '';
  for (const field of OPTIONAL) {
    const value = change[field];
    if (value === undefined) {
      mask += 'k';
      continue;
    }
    const [check, expected] = CHECKS[field];
    if (!check(value))
      throw new TypeError(`${where}: "${field}" must be ${expected} (got ${describe(value)})`);
    if (value === null) {
      mask += 'n';
    } else {
      mask += 'v';
      values.push(value);
    }
  }
  if (!isJobId(change.id) || change.from.length === 0) return false;
  into.push(change.id, change.to, change.from.join(','), mask, ...values);
  return true;
}

function numberOrNull(value: string | null): number | null {
  return value === null ? null : Number(value);
}

/** A row of read_job as a JobRecord. */
export function toRecord(row: Row): JobRecord {
  return {
    id: row[17]!,
    task: row[0]!,
    queue: row[1]!,
    state: row[2] as JobState,
    priority: Number(row[3]),
    payload: row[4]!,
    result: row[5] ?? null,
    progress: row[6] ?? null,
    errors: row[7]!,
    attempt: Number(row[8]),
    maxAttempts: Number(row[9]),
    runAt: Number(row[10]),
    createdAt: Number(row[11]),
    startedAt: numberOrNull(row[12] ?? null),
    finishedAt: numberOrNull(row[13] ?? null),
    leaseToken: row[14] ?? null,
    leaseUntil: numberOrNull(row[15] ?? null),
    workerId: row[16] ?? null,
  };
}

export function toRecords(rows: unknown[], from = 0): JobRecord[] {
  const records = new Array<JobRecord>(rows.length - from);
  for (let i = from; i < rows.length; i++) records[i - from] = toRecord(rows[i] as Row);
  return records;
}
