import type { QueryConfig } from 'pg';
import type { JobState, NewJob } from '@errand/core';
import { ERRAND_TYPES } from './rows.ts';
import { sqlStatement } from './sql.ts';

/** A statement of sql/*.sql bound to one schema, named so pg prepares it once per connection. */
interface Prepared {
  name: string;
  text: string;
}

/** One change of transition-jobs' JSON input (see sql/transition.sql). */
export interface TransitionRow {
  i: number;
  id: string;
  from: readonly JobState[];
  leaseToken: string | null;
  leaseExpiredBefore: number | null;
  to: JobState;
  set: number;
  runAt?: number;
  result?: string | null;
  errors?: string;
  attempt?: number;
  maxAttempts?: number;
  startedAt?: number | null;
  finishedAt?: number | null;
}

export interface ClaimValues {
  tasks: readonly string[];
  queues: readonly string[] | null;
  limit: number;
  now: number;
  leaseToken: string;
  leaseUntil: number;
  workerId: string;
}

export interface ListValues {
  state: JobState | null;
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
  const listJobs = prepared('reads.sql', 'list-jobs');
  const jobStats = prepared('reads.sql', 'job-stats');
  const pruneJobs = prepared('prune.sql', 'prune-jobs');
  const recordWorker = prepared('workers.sql', 'record-worker');
  const listWorkers = prepared('workers.sql', 'list-workers');
  const removeWorker = prepared('workers.sql', 'remove-worker');
  const notify = prepared('notify.sql', 'notify');

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
      query(claimJobs, [v.tasks, v.queues, v.limit, v.now, v.leaseToken, v.leaseUntil, v.workerId]),
    transitionJobs: (rows: readonly TransitionRow[]) => query(transitionJobs, [JSON.stringify(rows)]),
    renewLeases: (ids: string[], tokens: string[], leaseUntil: number) =>
      query(renewLeases, [ids, tokens, leaseUntil]),
    recordProgress: (id: string, leaseToken: string, progress: string) =>
      query(recordProgress, [id, leaseToken, progress]),
    findExpired: (now: number, limit: number) => query(findExpired, [now, limit]),
    getJob: (id: string) => query(getJob, [id]),
    listJobs: (v: ListValues) => query(listJobs, [v.state, v.task, v.queue, v.before, v.limit]),
    jobStats: () => query(jobStats, []),
    pruneJobs: (before: number, limit: number) => query(pruneJobs, [before, limit]),
    recordWorker: (values: unknown[]) => query(recordWorker, values),
    listWorkers: (seenSince: number) => query(listWorkers, [seenSince]),
    removeWorker: (id: string) => query(removeWorker, [id]),
    notify: (channel: string, payloads: string[]) => query(notify, [channel, payloads]),
  };
}

export type Statements = ReturnType<typeof statementsFor>;

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
