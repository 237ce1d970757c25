import { isJobState, type JobRecord, type JobState, type JobTransition, type NewJob } from '@errand/core';

/**
 * Between JobRecords and the scripts' arguments and replies. Every value is checked here, before
 * a script runs: a script that failed half way would leave half its writes behind, so the scripts
 * only ever get values they can store. Batches go to the scripts as one JSON argument and come back
 * as one JSON reply (cjson in Redis, V8's JSON here): far cheaper at both ends than thousands of
 * RESP items. Numbers travel as their decimal text, so Redis stores them exactly as given.
 */

/** A job as read_job (common.lua) returns it: field, value, field, value, …; a later pair wins. */
type Row = string[];

/** A job id as insert() returns it, below 2^53 so that Lua's numbers hold it exactly. */
const ID = /^[1-9][0-9]{0,15}$/;

export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id) && Number(id) <= Number.MAX_SAFE_INTEGER;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** One new job as insert.lua reads it, after checking what a store must refuse. */
export function newJobArgs(job: NewJob, index: number, count: number): string[] {
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
  return [
    job.task,
    job.queue,
    job.state,
    String(job.priority),
    job.payload,
    String(job.maxAttempts),
    String(job.runAt),
    String(job.createdAt),
  ];
}

/** What each field a change may write can hold (null only where the record's field is nullable). */
const FIELD_KINDS = {
  runAt: { text: false, nullable: false, expected: 'a finite number' },
  result: { text: true, nullable: true, expected: 'a string or null' },
  errors: { text: true, nullable: false, expected: 'a string' },
  attempt: { text: false, nullable: false, whole: true, expected: 'a whole number >= 0' },
  maxAttempts: { text: false, nullable: false, expected: 'a finite number' },
  startedAt: { text: false, nullable: true, expected: 'a finite number or null' },
  finishedAt: { text: false, nullable: true, expected: 'a finite number or null' },
} as const;

type Kind = { text: boolean; nullable: boolean; whole?: boolean; expected: string };

const FIELDS = Object.keys(FIELD_KINDS) as (keyof typeof FIELD_KINDS)[];

function valid(kind: Kind, value: unknown): boolean {
  if (value === null) return kind.nullable;
  if (kind.text) return typeof value === 'string';
  if (kind.whole) return Number.isSafeInteger(value) && (value as number) >= 0;
  return Number.isFinite(value);
}

/** A change as transition.lua reads it. */
export type ChangeRow = [
  id: string,
  to: JobState,
  from: string,
  values: Record<string, string | null>,
  leaseToken: string | null,
  leaseExpiredBefore: string | null,
];

/**
 * One change as transition.lua reads it. Returns null for a change that cannot apply because no
 * job can have its id (it is reported false without a round trip).
 */
export function transitionArgs(change: JobTransition): ChangeRow | null {
  const where = `transition of job ${describe(change.id)}`;
  if (!isJobState(change.to))
    throw new TypeError(`${where}: "to" must be a job state (got ${describe(change.to)})`);
  if (!Array.isArray(change.from) || !change.from.every(isJobState)) {
    throw new TypeError(`${where}: "from" must be an array of job states`);
  }
  const values: Record<string, string | null> = {};
  for (const field of FIELDS) {
    const value = change[field];
    if (value === undefined) continue;
    const kind: Kind = FIELD_KINDS[field];
    if (!valid(kind, value))
      throw new TypeError(`${where}: "${field}" must be ${kind.expected} (got ${describe(value)})`);
    values[field] = value === null ? null : String(value);
  }
  const { leaseToken, leaseExpiredBefore } = change;
  if (leaseToken !== undefined && typeof leaseToken !== 'string') {
    throw new TypeError(`${where}: "leaseToken" must be a string (got ${describe(leaseToken)})`);
  }
  if (leaseExpiredBefore !== undefined && !Number.isFinite(leaseExpiredBefore)) {
    throw new TypeError(
      `${where}: "leaseExpiredBefore" must be a finite number (got ${describe(leaseExpiredBefore)})`,
    );
  }
  if (!isJobId(change.id) || change.from.length === 0) return null;
  return [
    change.id,
    change.to,
    change.from.join(','),
    values,
    leaseToken ?? null,
    leaseExpiredBefore === undefined ? null : String(leaseExpiredBefore),
  ];
}

/** A row of read_job as a JobRecord. */
export function toRecord(row: Row): JobRecord {
  const record: JobRecord = {
    id: '',
    task: '',
    queue: '',
    state: 'queued',
    priority: 0,
    payload: '',
    result: null,
    progress: null,
    errors: '[]',
    attempt: 0,
    maxAttempts: 0,
    runAt: 0,
    createdAt: 0,
    startedAt: null,
    finishedAt: null,
    leaseToken: null,
    leaseUntil: null,
    workerId: null,
  };
  for (let i = 0; i < row.length; i += 2) {
    const value = row[i + 1]!;
    switch (row[i]) {
      case 'id':
        record.id = value;
        break;
      case 'task':
        record.task = value;
        break;
      case 'queue':
        record.queue = value;
        break;
      case 'state':
        record.state = value as JobState;
        break;
      case 'priority':
        record.priority = Number(value);
        break;
      case 'payload':
        record.payload = value;
        break;
      case 'result':
        record.result = value;
        break;
      case 'progress':
        record.progress = value;
        break;
      case 'errors':
        record.errors = value;
        break;
      case 'attempt':
        record.attempt = Number(value);
        break;
      case 'maxAttempts':
        record.maxAttempts = Number(value);
        break;
      case 'runAt':
        record.runAt = Number(value);
        break;
      case 'createdAt':
        record.createdAt = Number(value);
        break;
      case 'startedAt':
        record.startedAt = Number(value);
        break;
      case 'finishedAt':
        record.finishedAt = Number(value);
        break;
      case 'leaseToken':
        record.leaseToken = value;
        break;
      case 'leaseUntil':
        record.leaseUntil = Number(value);
        break;
      case 'workerId':
        record.workerId = value;
        break;
      default:
      // errand's own fields (pair, ext): not part of the record.
    }
  }
  return record;
}

/** Rows from a JSON reply; cjson writes an empty list as {}. */
export function toRecords(rows: unknown): JobRecord[] {
  return Array.isArray(rows) ? (rows as Row[]).map(toRecord) : [];
}
