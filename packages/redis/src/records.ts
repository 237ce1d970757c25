import {
  isJobState,
  type JobRecord,
  type JobState,
  type ClaimRequest,
  type JobTransition,
  type NewJob,
  type NewUniqueJob,
} from '@errand/core';

/**
 * Between JobRecords and the scripts' arguments and replies. Every value is checked here, before
 * a script runs: a script that failed half way would leave half its writes behind, so the scripts
 * only ever get values they can store. Batches go to the scripts as one JSON argument and come back
 * as one JSON reply (cjson in Redis, V8's JSON here): far cheaper at both ends than thousands of
 * RESP items. Numbers travel as their decimal text, so Redis stores them exactly as given.
 */

/**
 * A job as read_job (common.lua) returns it: the record's fields as text, a null one left out,
 * cancelRequested '1' when asked and left out otherwise.
 */
type StoredJob = Record<Exclude<keyof JobRecord, 'state'>, string | undefined> & { state: JobState };

/** A job id as insert() returns it, below 2^53 so that Lua's numbers hold it exactly. */
const ID = /^[1-9][0-9]{0,15}$/;

export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id) && Number(id) <= Number.MAX_SAFE_INTEGER;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/**
 * One new job as insert.lua reads it (insert-unique.lua and fire-schedule.lua too), after checking
 * what a store must refuse. `call` names the caller in the error.
 */
export function newJobArgs(job: NewJob, index: number, count: number, call = 'insert'): (string | null)[] {
  const where = count === 1 && call !== 'insert' ? call : `${call}: job ${index + 1} of ${count}`;
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
  const concurrencyKey = job.concurrencyKey ?? null;
  if (concurrencyKey !== null && typeof concurrencyKey !== 'string') {
    throw new TypeError(
      `${where}: "concurrencyKey" must be a string or null (got ${describe(concurrencyKey)})`,
    );
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
    concurrencyKey,
  ];
}

/** insert-unique.lua's arguments after `now`: uniqueKey, uniqueStates, uniqueUntil and the job. */
export function uniqueJobArgs(job: NewUniqueJob): string[] {
  const row = newJobArgs(job, 0, 1, 'insertUnique');
  const { uniqueKey, uniqueStates, uniqueUntil } = job;
  if (typeof uniqueKey !== 'string') {
    throw new TypeError(`insertUnique: "uniqueKey" must be a string (got ${describe(uniqueKey)})`);
  }
  if (!Array.isArray(uniqueStates) || !uniqueStates.every(isJobState)) {
    throw new TypeError('insertUnique: "uniqueStates" must be an array of job states');
  }
  if (uniqueUntil !== null && !Number.isFinite(uniqueUntil)) {
    throw new TypeError(
      `insertUnique: "uniqueUntil" must be a finite number or null (got ${describe(uniqueUntil)})`,
    );
  }
  return [
    uniqueKey,
    uniqueStates.join(','),
    uniqueUntil === null ? '' : String(uniqueUntil),
    JSON.stringify([row]),
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

function badChange(id: unknown, problem: string): TypeError {
  return new TypeError(`transition of job ${describe(id)}: ${problem}`);
}

/**
 * One change as transition.lua reads it, written straight as JSON text (no array or object to
 * build and stringify per change): [id, to, from, {field: text or null, …}, leaseToken or null,
 * leaseExpiredBefore or null, and 1 when it removes the job]. Returns null for a change that cannot
 * apply because no job can have its id (it is reported false without a round trip).
 */
export function transitionJson(change: JobTransition): string | null {
  const { id, to, from, leaseToken, leaseExpiredBefore } = change;
  if (!isJobState(to)) throw badChange(id, `"to" must be a job state (got ${describe(to)})`);
  if (!Array.isArray(from) || !from.every(isJobState))
    throw badChange(id, '"from" must be an array of job states');
  let values = '';
  for (let i = 0; i < FIELDS.length; i++) {
    const field = FIELDS[i]!;
    const value = change[field];
    if (value === undefined) continue;
    const kind: Kind = FIELD_KINDS[field];
    if (!valid(kind, value))
      throw badChange(id, `"${field}" must be ${kind.expected} (got ${describe(value)})`);
    const text = value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : `"${value}"`;
    values += values === '' ? `"${field}":${text}` : `,"${field}":${text}`;
  }
  if (leaseToken !== undefined && typeof leaseToken !== 'string') {
    throw badChange(id, `"leaseToken" must be a string (got ${describe(leaseToken)})`);
  }
  if (leaseExpiredBefore !== undefined && !Number.isFinite(leaseExpiredBefore)) {
    throw badChange(id, `"leaseExpiredBefore" must be a finite number (got ${describe(leaseExpiredBefore)})`);
  }
  if (!isJobId(id) || from.length === 0) return null;
  const token = leaseToken === undefined ? 'null' : JSON.stringify(leaseToken);
  const before = leaseExpiredBefore === undefined ? 'null' : `"${leaseExpiredBefore}"`;
  // id is canonical digits and the states are names from JOB_STATES: nothing to escape.
  const remove = change.remove ? ',1' : '';
  return `["${id}","${to}","${from.length === 1 ? from[0] : from.join(',')}",{${values}},${token},${before}${remove}]`;
}

function numberOrNull(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

/** A job of a script's JSON reply as a JobRecord, always of the same shape. */
export function toRecord(job: StoredJob): JobRecord {
  return {
    id: job.id!,
    task: job.task!,
    queue: job.queue!,
    state: job.state,
    priority: Number(job.priority),
    payload: job.payload!,
    result: job.result ?? null,
    progress: job.progress ?? null,
    errors: job.errors!,
    attempt: Number(job.attempt),
    maxAttempts: Number(job.maxAttempts),
    runAt: Number(job.runAt),
    createdAt: Number(job.createdAt),
    startedAt: numberOrNull(job.startedAt),
    finishedAt: numberOrNull(job.finishedAt),
    leaseToken: job.leaseToken ?? null,
    leaseUntil: numberOrNull(job.leaseUntil),
    workerId: job.workerId ?? null,
    uniqueKey: job.uniqueKey ?? null,
    concurrencyKey: job.concurrencyKey ?? null,
    cancelRequested: job.cancelRequested === '1',
  };
}

/** Jobs of a JSON reply; cjson writes an empty list as {}. */
export function toRecords(jobs: unknown): JobRecord[] {
  return Array.isArray(jobs) ? (jobs as StoredJob[]).map(toRecord) : [];
}

/** list()'s `before` cursor: a job id (decimal text). */
export function cursor(before: string): string {
  if (typeof before !== 'string' || !/^[0-9]{1,19}$/.test(before)) {
    throw new TypeError(
      `list: before must be a job id such as "42", the previous page's next (got ${JSON.stringify(before)})`,
    );
  }
  return before;
}

/** claim.lua's arguments after the queues: excluded queues, rate and concurrency (see its header). */
export function limitArgs(request: ClaimRequest): (string | number)[] {
  const { excludeQueues = [], rate, concurrency } = request;
  const args: (string | number)[] = [excludeQueues.length, ...excludeQueues];
  if (rate === undefined) {
    args.push('', 0, 0);
  } else {
    if (typeof rate.key !== 'string' || !Number.isFinite(rate.max) || !Number.isFinite(rate.periodMs)) {
      throw new TypeError('claim: rate must be { key: string, max: number, periodMs: number }');
    }
    args.push(rate.key, rate.max, rate.periodMs);
  }
  if (concurrency === undefined) {
    args.push(-1);
  } else {
    if (!Number.isFinite(concurrency.max) || concurrency.max < 0) {
      throw new TypeError('claim: concurrency.max must be a finite number >= 0');
    }
    args.push(concurrency.max);
  }
  return args;
}

/** Redis cannot join a caller's transaction: say so rather than insert outside it. */
export function refuseTransaction(tx: unknown, call: string): void {
  if (tx === undefined) return;
  throw new Error(
    `redis backend: ${call} cannot join a caller's transaction (tx): Redis has no transaction errand ` +
      'could join. Enqueue after your transaction commits, or use the PostgreSQL or SQLite backend ' +
      'to enqueue inside one.',
  );
}
