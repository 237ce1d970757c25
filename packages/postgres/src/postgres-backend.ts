import {
  JOB_STATES,
  type Backend,
  type ClaimRequest,
  type FinishedCount,
  type FinishedCountsRequest,
  type InsertOptions,
  type JobState,
  type JobPage,
  type JobRecord,
  type JobTransition,
  type Lease,
  type ListFilter,
  type NewJob,
  type NewUniqueJob,
  type ScheduleDefinition,
  type ScheduleRecord,
  type StateCount,
  type WorkerRecord,
} from '@errand/core';
import { inCallerTransaction, insertInCallerTransaction } from './caller-transaction.ts';
import { Connections } from './connections.ts';
import { limitedClaim } from './limited-claim.ts';
import { migrateSchema, SchemaVersionError } from './migrations.ts';
import { inOwnTransaction } from './own-transaction.ts';
import type { ResolvedOptions } from './options.ts';
import { byClaimOrder, compareIds, isJobId } from './rows.ts';
import { statementsFor, unnamed, type ClaimValues, type Statements } from './statements.ts';
import { rounds } from './transition-rows.ts';
import { notifyPayloads, PostgresWakeups } from './wakeups.ts';

/** The first page of list(): every id is below this. */
const NO_CURSOR = '9223372036854775807';

/**
 * The PostgreSQL backend. Each method is one statement (a batch included), so it is atomic without
 * an explicit transaction and costs one round trip; the statements are in sql/*.sql. The exceptions
 * hold an advisory lock across statements in one transaction: insertUnique() (the key's lock) and a
 * claim with a rate or concurrency limit (limited-claim.ts).
 */
export class PostgresBackend implements Backend {
  readonly kind = 'postgres';
  readonly wakeups: PostgresWakeups;
  readonly #options: ResolvedOptions;
  readonly #statements: Statements;
  #connections: Connections | null = null;
  #ready: Promise<void> | null = null;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#statements = statementsFor(options.schema);
    this.wakeups = new PostgresWakeups(
      options.schema,
      () => this.#require(),
      this.#statements,
      options.logger,
    );
  }

  /** Connects and brings the schema up to date (or checks it, with migrate: false). */
  async init(): Promise<void> {
    if (this.#closed) throw new Error('postgres backend: init() after close(); create a new backend');
    this.#ready ??= this.#init().catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    await this.#ready;
  }

  async #init(): Promise<void> {
    this.#connections ??= new Connections(this.#options.source, this.#options.logger);
    try {
      await migrateSchema(this.#connections, this.#options.schema, this.#options.migrate);
    } catch (error) {
      if (error instanceof SchemaVersionError) throw error;
      throw new Error(
        `postgres backend: cannot prepare the "${this.#options.schema}" schema on ` +
          `${this.#connections.target}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async insert(jobs: readonly NewJob[], options?: InsertOptions): Promise<string[]> {
    const { pool } = this.#require();
    const tx = options?.tx;
    if (tx === undefined) {
      if (jobs.length === 0) return [];
      const { rows } = await pool.query<{ id: string }>(this.#statements.insertJobs(jobs));
      return idsInOrder(rows);
    }
    // In the caller's transaction: the NOTIFY goes with it, delivered at its commit, dropped at rollback.
    const payloads = notifyPayloads(
      new Set(jobs.filter((job) => job.state === 'queued').map((job) => job.queue)),
    );
    const query = this.#statements.insertJobsAndNotify(jobs, this.wakeups.channel, payloads);
    const { rows } = await insertInCallerTransaction<{ id: string }>(tx, query, this.#options.schema);
    return idsInOrder(rows);
  }

  async insertUnique(
    job: NewUniqueJob,
    options: { now: number; tx?: unknown },
  ): Promise<{ id: string; created: boolean }> {
    const connections = this.#require();
    const { now, tx } = options;
    const statements = this.#statements;
    if (tx === undefined) {
      return inOwnTransaction(connections, async (client) => {
        await client.query(statements.lockUniqueKey(job.uniqueKey));
        const { rows } = await client.query<{ id: string; created: boolean }>(
          statements.insertUnique(job, now),
        );
        return rows[0]!;
      });
    }
    // In the caller's transaction: the key's lock is held until it commits or rolls back, and a new
    // due job's NOTIFY goes with it, as for insert().
    return inCallerTransaction(tx, this.#options.schema, 'insertUnique', async (client) => {
      const { rows: locked } = await client.query<{ isolation: string }>(
        unnamed(statements.lockUniqueKey(job.uniqueKey)),
      );
      const isolation = locked[0]?.isolation ?? 'read committed';
      if (isolation !== 'read committed') {
        throw new Error(
          `insertUnique: tx is a ${isolation.toUpperCase()} transaction, whose snapshot may predate a ` +
            'job that holds the key (committed while waiting for the key): enqueue with a key in a ' +
            'READ COMMITTED transaction (the default), or without tx',
        );
      }
      const { rows } = await client.query<{ id: string; created: boolean }>(
        unnamed(statements.insertUnique(job, now)),
      );
      const result = rows[0]!;
      if (result.created && job.state === 'queued') {
        await client.query(
          unnamed(statements.notify(this.wakeups.channel, notifyPayloads(new Set([job.queue])))),
        );
      }
      return result;
    });
  }

  async claim(request: ClaimRequest): Promise<JobRecord[]> {
    const connections = this.#require();
    const { queues, tasks, limit } = request;
    if (limit <= 0 || tasks.length === 0 || queues?.length === 0) return [];
    const values: ClaimValues = { ...request, excludeQueues: request.excludeQueues ?? [] };
    if (request.rate === undefined && request.concurrency === undefined) {
      const { rows } = await connections.pool.query<JobRecord>(this.#statements.claimJobs(values));
      return rows.sort(byClaimOrder);
    }
    const rows = await inOwnTransaction(connections, (client) =>
      limitedClaim(client, this.#statements, request, values),
    );
    return rows.sort(byClaimOrder);
  }

  async renewLeases(leases: readonly Lease[], leaseUntil: number): Promise<string[]> {
    const { pool } = this.#require();
    const held = leases.filter((lease) => isJobId(lease.id));
    if (held.length === 0) return [];
    const { rows } = await pool.query<{ id: string }>(
      this.#statements.renewLeases(
        held.map((lease) => lease.id),
        held.map((lease) => lease.leaseToken),
        leaseUntil,
      ),
    );
    return rows.map((row) => row.id);
  }

  async transition(changes: readonly JobTransition[]): Promise<boolean[]> {
    const { pool } = this.#require();
    const applied = new Array<boolean>(changes.length).fill(false);
    // A job named twice in a batch gets its changes in separate rounds, in order, so the second sees
    // the first (one UPDATE touches a row at most once). The core's batches rarely repeat a job.
    for (const round of rounds(changes)) {
      const { rows } = await pool.query<{ i: number }>(this.#statements.transitionJobs(round));
      for (const { i } of rows) applied[i] = true;
    }
    return applied;
  }

  async recordProgress(id: string, leaseToken: string, progress: string): Promise<boolean> {
    const { pool } = this.#require();
    if (!isJobId(id)) return false;
    const { rowCount } = await pool.query(this.#statements.recordProgress(id, leaseToken, progress));
    return rowCount === 1;
  }

  async findExpired(request: { now: number; limit: number }): Promise<JobRecord[]> {
    const { pool } = this.#require();
    if (request.limit <= 0) return [];
    const { rows } = await pool.query<JobRecord>(this.#statements.findExpired(request.now, request.limit));
    return rows;
  }

  async get(id: string): Promise<JobRecord | null> {
    const { pool } = this.#require();
    if (!isJobId(id)) return null;
    const { rows } = await pool.query<JobRecord>(this.#statements.getJob(id));
    return rows[0] ?? null;
  }

  async list(filter: ListFilter): Promise<JobPage> {
    const { pool } = this.#require();
    const { limit } = filter;
    if (limit <= 0) return { jobs: [], next: null };
    const before = filter.before === undefined ? NO_CURSOR : cursor(filter.before);
    const { state, task, queue } = filter;
    // One more than asked, to know whether another page follows.
    const { rows } = await pool.query<JobRecord>(
      state === undefined && task === undefined && queue === undefined
        ? this.#statements.listAll(before, limit + 1)
        : this.#statements.listFiltered({
            states: state === undefined ? JOB_STATES : [state],
            task: task ?? null,
            queue: queue ?? null,
            before,
            limit: limit + 1,
          }),
    );
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return { jobs: rows, next: more ? rows[rows.length - 1]!.id : null };
  }

  async stats(): Promise<StateCount[]> {
    const { pool } = this.#require();
    const { rows } = await pool.query<StateCount>(this.#statements.jobStats());
    return rows;
  }

  async prune(request: { before: number; limit: number }): Promise<number> {
    const { pool } = this.#require();
    if (request.limit <= 0) return 0;
    const { rowCount } = await pool.query(this.#statements.pruneJobs(request.before, request.limit));
    return rowCount ?? 0;
  }

  async deleteJob(id: string, from: readonly JobState[]): Promise<boolean> {
    const { pool } = this.#require();
    if (!isJobId(id) || from.length === 0) return false;
    const { rowCount } = await pool.query(this.#statements.deleteJob(id, from));
    return rowCount === 1;
  }

  async finishedCounts(request: FinishedCountsRequest): Promise<FinishedCount[]> {
    const { pool } = this.#require();
    const { since, until, bucketMs } = request;
    const { rows } = await pool.query<FinishedCount>(this.#statements.finishedCounts(since, until, bucketMs));
    return rows;
  }

  async recordWorker(worker: WorkerRecord): Promise<void> {
    const { pool } = this.#require();
    await pool.query(
      this.#statements.recordWorker([
        worker.id,
        worker.hostname,
        worker.pid,
        worker.queues,
        worker.tasks,
        worker.concurrency,
        worker.startedAt,
        worker.heartbeatAt,
      ]),
    );
  }

  async listWorkers(request: { seenSince: number }): Promise<WorkerRecord[]> {
    const { pool } = this.#require();
    const { rows } = await pool.query<WorkerRecord>(this.#statements.listWorkers(request.seenSince));
    return rows;
  }

  async removeWorker(id: string): Promise<void> {
    const { pool } = this.#require();
    await pool.query(this.#statements.removeWorker(id));
  }

  async requestCancel(id: string): Promise<boolean> {
    const { pool } = this.#require();
    if (!isJobId(id)) return false;
    const { rowCount } = await pool.query(this.#statements.requestCancel(id));
    return rowCount === 1;
  }

  async cancelRequested(ids: readonly string[]): Promise<string[]> {
    const { pool } = this.#require();
    const valid = ids.filter(isJobId);
    if (valid.length === 0) return [];
    const { rows } = await pool.query<{ id: string }>(this.#statements.cancelRequested(valid));
    const marked = new Set(rows.map((row) => row.id));
    return valid.filter((id) => marked.has(id));
  }

  async setQueuePaused(queue: string, paused: boolean): Promise<void> {
    const { pool } = this.#require();
    await pool.query(paused ? this.#statements.pauseQueue(queue) : this.#statements.resumeQueue(queue));
  }

  async pausedQueues(): Promise<string[]> {
    const { pool } = this.#require();
    const { rows } = await pool.query<{ queue: string }>(this.#statements.pausedQueues());
    return rows.map((row) => row.queue);
  }

  async recordSchedules(schedules: readonly ScheduleDefinition[], declaredAt: number): Promise<void> {
    const { pool } = this.#require();
    if (schedules.length === 0) return;
    await pool.query(this.#statements.recordSchedules(schedules, declaredAt));
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    const { pool } = this.#require();
    const { rows } = await pool.query<ScheduleRecord>(this.#statements.listSchedules());
    return rows;
  }

  async fireSchedule(fire: {
    name: string;
    tick: number;
    jobs: readonly NewJob[];
  }): Promise<string[] | null> {
    const { pool } = this.#require();
    const { rows } = await pool.query<{ fired: boolean; ids: string[] }>(
      this.#statements.fireSchedule(fire.name, fire.tick, fire.jobs),
    );
    const [{ fired, ids }] = rows as [{ fired: boolean; ids: string[] }];
    return fired ? ids.sort(compareIds) : null;
  }

  async setSchedulePaused(name: string, paused: boolean): Promise<boolean> {
    const { pool } = this.#require();
    const { rowCount } = await pool.query(this.#statements.setSchedulePaused(name, paused));
    return rowCount === 1;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready?.catch(() => undefined);
    await this.wakeups.close();
    await this.#connections?.end();
  }

  #require(): Connections {
    if (this.#connections !== null && this.#ready !== null && !this.#closed) return this.#connections;
    throw new Error(
      this.#closed
        ? 'postgres backend: used after close(); create a new backend'
        : 'postgres backend: call init() before using it (the errand app does this when it starts)',
    );
  }
}

/** insert's ids in input order: ids are handed out in input order, so that is numeric order. */
function idsInOrder(rows: { id: string }[]): string[] {
  return rows.map((row) => row.id).sort(compareIds);
}

/** list()'s `before` cursor: a job id (decimal string). */
function cursor(before: string): string {
  if (typeof before !== 'string' || !/^[0-9]{1,19}$/.test(before) || BigInt(before) > BigInt(NO_CURSOR)) {
    throw new TypeError(
      `list: before must be a job id such as "42", the previous page's next (got ${JSON.stringify(before)})`,
    );
  }
  return before;
}
