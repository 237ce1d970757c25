import type { QueryConfig } from 'pg';
import type { JobState, JobTransition, NewJob, NewUniqueJob, ScheduleDefinition } from '@errand/core';
import { ERRAND_TYPES } from './rows.ts';
import type { TransitionRound } from './transition-rows.ts';
import { sqlStatement } from './sql.ts';

/** A statement of sql/*.sql bound to one schema, named so pg prepares it once per connection. */
interface Prepared {
  name: string;
  text: string;
}

/** One change of transition-jobs' JSON input (see sql/transition.sql): the core's change, numbered, with its `set` bits. */
export interface TransitionRow extends Omit<JobTransition, 'leaseToken' | 'leaseExpiredBefore' | 'remove'> {
  i: number;
  leaseToken: string | null;
  leaseExpiredBefore: number | null;
  set: number;
}

export interface ClaimValues {
  tasks: readonly string[];
  queues: readonly string[] | null;
  excludeQueues: readonly string[];
  limit: number;
  now: number;
  leaseToken: string;
  leaseUntil: number;
  workerId: string;
}

export interface ListValues {
  states: readonly JobState[];
  task: string | null;
  queue: string | null;
  before: string;
  limit: number;
}

/**
 * Every statement errand runs, as pg query configs for one schema. The hot path (claim, transition,
 * insert, renew, notify) is named: pg parses and plans a named statement once per connection and
 * then only binds values. Each name carries the schema, so two backends on one connection never
 * share a name for different text.
 */
export function statementsFor(schema: string) {
  const prepared = (file: string, name: string): Prepared => ({
    name: statementName(schema, name),
    text: sqlStatement(file, name, schema),
  });
  const query = (statement: Prepared, values: unknown[]): QueryConfig => ({
    ...statement,
    values,
    types: ERRAND_TYPES,
  });

  const insertJobs = prepared('insert.sql', 'insert-jobs');
  const insertJobsAndNotify = sqlStatement('insert.sql', 'insert-jobs-and-notify', schema);
  const claimJobs = prepared('claim.sql', 'claim-jobs');
  const transitionJobs = prepared('transition.sql', 'transition-jobs');
  const renewLeases = prepared('leases.sql', 'renew-leases');
  const recordProgress = prepared('leases.sql', 'record-progress');
  const findExpired = prepared('leases.sql', 'find-expired');
  const getJob = prepared('reads.sql', 'get-job');
  const listAll = prepared('list.sql', 'list-all');
  // Unnamed: planned with each run's values (see list.sql).
  const listFiltered = sqlStatement('list.sql', 'list-filtered', schema);
  const finishedCounts = prepared('reads.sql', 'finished-counts');
  const deleteJob = prepared('prune.sql', 'delete-job');
  const jobStats = prepared('reads.sql', 'job-stats');
  const pruneJobs = prepared('prune.sql', 'prune-jobs');
  const recordWorker = prepared('workers.sql', 'record-worker');
  const listWorkers = prepared('workers.sql', 'list-workers');
  const removeWorker = prepared('workers.sql', 'remove-worker');
  const notify = prepared('notify.sql', 'notify');
  const lockUniqueKey = prepared('unique.sql', 'lock-unique-key');
  const insertUnique = prepared('unique.sql', 'insert-unique');
  const requestCancel = prepared('cancel.sql', 'request-cancel');
  const cancelRequested = prepared('cancel.sql', 'cancel-requested');
  const pauseQueue = prepared('queues.sql', 'pause-queue');
  const resumeQueue = prepared('queues.sql', 'resume-queue');
  const pausedQueues = prepared('queues.sql', 'paused-queues');
  const recordSchedules = prepared('schedules.sql', 'record-schedules');
  const listSchedules = prepared('schedules.sql', 'list-schedules');
  const fireSchedule = prepared('schedules.sql', 'fire-schedule');
  const setSchedulePaused = prepared('schedules.sql', 'set-schedule-paused');
  const lockLimit = prepared('limited-claim.sql', 'lock-limit');
  const pruneRateStarts = prepared('limited-claim.sql', 'prune-rate-starts');
  const countRateStarts = prepared('limited-claim.sql', 'count-rate-starts');
  const recordRateStarts = prepared('limited-claim.sql', 'record-rate-starts');
  const runningPerKey = prepared('limited-claim.sql', 'running-per-key');
  const claimCandidates = prepared('limited-claim.sql', 'claim-candidates');
  const claimIds = prepared('limited-claim.sql', 'claim-ids');

  return {
    insertJobs: (jobs: readonly NewJob[]) => query(insertJobs, [JSON.stringify(jobs)]),
    /**
     * Unnamed: it runs on the caller's connection, whose prepared statements are the app's business
     * (and may be reset behind pg's back by a pooler).
     */
    insertJobsAndNotify: (jobs: readonly NewJob[], channel: string, payloads: string[]): QueryConfig => ({
      text: insertJobsAndNotify,
      values: [JSON.stringify(jobs), channel, payloads],
      types: ERRAND_TYPES,
    }),
    claimJobs: (v: ClaimValues) =>
      query(claimJobs, [
        v.tasks,
        v.queues,
        v.excludeQueues,
        v.limit,
        v.now,
        v.leaseToken,
        v.leaseUntil,
        v.workerId,
      ]),
    transitionJobs: ({ updates, removals }: TransitionRound) =>
      query(transitionJobs, [
        JSON.stringify(updates),
        removals.ids,
        removals.from,
        removals.leaseTokens,
        removals.leaseExpiredBefore,
        removals.i,
      ]),
    renewLeases: (ids: string[], tokens: string[], leaseUntil: number) =>
      query(renewLeases, [ids, tokens, leaseUntil]),
    recordProgress: (id: string, leaseToken: string, progress: string) =>
      query(recordProgress, [id, leaseToken, progress]),
    findExpired: (now: number, limit: number) => query(findExpired, [now, limit]),
    getJob: (id: string) => query(getJob, [id]),
    listAll: (before: string, limit: number) => query(listAll, [before, limit]),
    listFiltered: (v: ListValues): QueryConfig => ({
      text: listFiltered,
      values: [v.states, v.task, v.queue, v.before, v.limit],
      types: ERRAND_TYPES,
    }),
    finishedCounts: (since: number, until: number, bucketMs: number) =>
      query(finishedCounts, [since, until, bucketMs]),
    deleteJob: (id: string, from: readonly JobState[]) => query(deleteJob, [id, from]),
    jobStats: () => query(jobStats, []),
    pruneJobs: (before: number, limit: number) => query(pruneJobs, [before, limit]),
    recordWorker: (values: unknown[]) => query(recordWorker, values),
    listWorkers: (seenSince: number) => query(listWorkers, [seenSince]),
    removeWorker: (id: string) => query(removeWorker, [id]),
    notify: (channel: string, payloads: string[]) => query(notify, [channel, payloads]),
    /** The advisory lock of one unique key in this schema, for the rest of the transaction. */
    lockUniqueKey: (key: string) => query(lockUniqueKey, [`errand:${schema}:unique:${key}`]),
    insertUnique: (job: NewUniqueJob, now: number) =>
      query(insertUnique, [
        job.uniqueKey,
        now,
        JSON.stringify(newJobFields(job)),
        job.uniqueStates,
        job.uniqueUntil,
      ]),
    requestCancel: (id: string) => query(requestCancel, [id]),
    cancelRequested: (ids: readonly string[]) => query(cancelRequested, [ids]),
    pauseQueue: (queue: string) => query(pauseQueue, [queue]),
    resumeQueue: (queue: string) => query(resumeQueue, [queue]),
    pausedQueues: () => query(pausedQueues, []),
    recordSchedules: (schedules: readonly ScheduleDefinition[], declaredAt: number) =>
      query(recordSchedules, [
        JSON.stringify(schedules.map(({ name, task, spec, payload }) => ({ name, task, spec, payload }))),
        declaredAt,
      ]),
    listSchedules: () => query(listSchedules, []),
    fireSchedule: (name: string, tick: number, jobs: readonly NewJob[]) =>
      query(fireSchedule, [name, tick, JSON.stringify(jobs)]),
    setSchedulePaused: (name: string, paused: boolean) => query(setSchedulePaused, [name, paused]),
    /** The advisory lock of a rate key, or (key null) of every concurrency-limited claim, in this schema. */
    lockLimit: (rateKey: string | null) =>
      query(lockLimit, [
        rateKey === null ? `errand:${schema}:concurrency` : `errand:${schema}:rate:${rateKey}`,
      ]),
    pruneRateStarts: (key: string, before: number) => query(pruneRateStarts, [key, before]),
    countRateStarts: (key: string, since: number) => query(countRateStarts, [key, since]),
    recordRateStarts: (key: string, now: number, starts: number) =>
      query(recordRateStarts, [key, now, starts]),
    runningPerKey: () => query(runningPerKey, []),
    claimCandidates: (v: Omit<ClaimValues, 'leaseToken' | 'leaseUntil' | 'workerId'>, fullKeys: string[]) =>
      query(claimCandidates, [v.tasks, v.queues, v.excludeQueues, v.limit, v.now, fullKeys]),
    claimIds: (
      ids: readonly string[],
      v: Pick<ClaimValues, 'now' | 'leaseToken' | 'leaseUntil' | 'workerId'>,
    ) => query(claimIds, [ids, v.now, v.leaseToken, v.leaseUntil, v.workerId]),
  };
}

export type Statements = ReturnType<typeof statementsFor>;

/** A NewJob's own fields, as insert-unique reads them (the unique fields go in columns of their own). */
function newJobFields(job: NewJob): NewJob {
  const { task, queue, state, priority, payload, maxAttempts, runAt, createdAt, concurrencyKey } = job;
  return { task, queue, state, priority, payload, maxAttempts, runAt, createdAt, concurrencyKey };
}

/**
 * A statement to run on the caller's own connection: unnamed, since that connection's prepared
 * statements are the app's business (and a pooler may reset them behind pg's back).
 */
export function unnamed(config: QueryConfig): QueryConfig {
  return { text: config.text, values: config.values, types: config.types };
}

/** PostgreSQL keeps the first 63 bytes of a prepared statement's name (NAMEDATALEN - 1). */
const MAX_NAME = 63;

/**
 * `errand:<schema>:<statement>`, or with a long schema, a hash of it in its place: names that
 * PostgreSQL cut to the same 63 bytes would clash on a connection two backends share.
 */
export function statementName(schema: string, statement: string): string {
  const name = `errand:${schema}:${statement}`;
  if (name.length <= MAX_NAME) return name;
  // FNV-1a, 32 bits: enough to tell apart the few schemas one connection serves.
  let hash = 0x811c9dc5;
  for (let i = 0; i < schema.length; i++) hash = Math.imul(hash ^ schema.charCodeAt(i), 0x01000193);
  return `errand:${(hash >>> 0).toString(16).padStart(8, '0')}:${statement}`;
}
