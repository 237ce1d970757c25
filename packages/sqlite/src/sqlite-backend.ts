import BetterSqlite3 from 'better-sqlite3';
import type { Database, Transaction } from 'better-sqlite3';
import type {
  Backend,
  ClaimRequest,
  FinishedCount,
  FinishedCountsRequest,
  InsertOptions,
  JobState,
  JobPage,
  JobRecord,
  JobTransition,
  Lease,
  ListFilter,
  NewJob,
  NewUniqueJob,
  ScheduleDefinition,
  ScheduleRecord,
  StateCount,
  WorkerRecord,
} from '@errand/core';
import { CallerTransactions, databaseFile } from './caller-transaction.ts';
import { assertDriverRunsHere } from './driver-support.ts';
import { jobWriter, type JobWriter } from './job-writer.ts';
import { FileWakeups } from './file-wakeups.ts';
import { transitionJobs } from './job-transitions.ts';
import { limitedClaim } from './limited-claim.ts';
import { listRows } from './list-jobs.ts';
import type { ResolvedOptions } from './options.ts';
import { byClaimOrder, toRecord, toScheduleRecord, toWorkerRecord, type JobRow } from './rows.ts';
import { migrate } from './schema.ts';
import { prepareStatements, type ClaimParams, type Statements } from './statements.ts';

/** A job id as insert() returns it. */
const ID = /^[1-9][0-9]{0,18}$/;

/** The first page of list(): every id is below this. */
const NO_CURSOR = 9223372036854775807n;

/** What init() sets up: the statements and the transactions that wrap them. */
interface Ready {
  db: Database;
  statements: Statements;
  writer: JobWriter;
  callerTransactions: CallerTransactions;
  claim: Transaction<(params: ClaimParams) => JobRow[]>;
  limitedClaim: Transaction<(request: ClaimRequest, params: ClaimParams) => JobRow[]>;
  transition: Transaction<(changes: readonly JobTransition[]) => boolean[]>;
  list: Transaction<(filter: ListFilter, before: bigint, limit: number) => JobRow[]>;
  renewLeases: Transaction<(leases: readonly Lease[], leaseUntil: number) => string[]>;
  recordProgress: Transaction<(id: string, leaseToken: string, progress: string) => boolean>;
  prune: Transaction<(before: number, limit: number) => number>;
  deleteJob: Transaction<(id: string, from: string) => boolean>;
  recordWorker: Transaction<(worker: WorkerRecord) => void>;
  removeWorker: Transaction<(id: string) => void>;
  requestCancel: Transaction<(id: string) => boolean>;
  setQueuePaused: Transaction<(queue: string, paused: boolean) => void>;
  recordSchedules: Transaction<(schedules: readonly ScheduleDefinition[], declaredAt: number) => void>;
  fireSchedule: Transaction<(name: string, tick: number, jobs: readonly NewJob[]) => string[] | null>;
  setSchedulePaused: Transaction<(name: string, paused: boolean) => boolean>;
}

/**
 * The SQLite backend. better-sqlite3 is synchronous, so each method does its work at once and
 * returns a settled promise. Every write runs in an IMMEDIATE transaction: the write lock is taken
 * before the first read, so worker processes sharing the file queue up on busy_timeout instead of
 * failing on a stale snapshot, and a claim's read and update can never interleave with another's.
 */
export class SqliteBackend implements Backend {
  readonly kind = 'sqlite';
  readonly #options: ResolvedOptions;
  #ready: Ready | null = null;
  #closed = false;
  #wakeups: FileWakeups | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  /** Wake-ups from the database file's changes, once init() has opened a file (not for :memory:). */
  get wakeups(): FileWakeups | undefined {
    const file = this.#ready ? databaseFile(this.#ready.db) : null;
    if (file !== null) this.#wakeups ??= new FileWakeups(file);
    return this.#wakeups;
  }

  async init(): Promise<void> {
    if (this.#closed) throw new Error('sqlite backend: init() after close(); create a new backend');
    if (this.#ready !== null) return;
    const db = this.#open();
    const { tablePrefix } = this.#options;
    migrate(db, tablePrefix, databaseFile(db) ?? 'an in-memory database');
    const statements = prepareStatements(db, tablePrefix);
    const writer = jobWriter(db, tablePrefix);
    this.#ready = {
      db,
      statements,
      writer,
      callerTransactions: new CallerTransactions(db, tablePrefix, writer),
      claim: db.transaction((params: ClaimParams) => statements.claimJobs.all(params)),
      limitedClaim: db.transaction((request: ClaimRequest, params: ClaimParams) =>
        limitedClaim(statements, request, params),
      ),
      transition: transitionJobs(db, tablePrefix),
      // A read (deferred) transaction: list()'s several statements see one snapshot, so a job
      // that changes state meanwhile is neither missed nor listed twice.
      list: db.transaction((filter: ListFilter, before: bigint, limit: number) =>
        listRows(statements, filter, before, limit),
      ),
      renewLeases: db.transaction((leases: readonly Lease[], leaseUntil: number) => {
        const renewed: string[] = [];
        for (const { id, leaseToken } of leases) {
          if (statements.renewLease.run({ id, leaseToken, leaseUntil }).changes === 1) renewed.push(id);
        }
        return renewed;
      }),
      recordProgress: db.transaction(
        (id: string, leaseToken: string, progress: string) =>
          statements.recordProgress.run({ id, leaseToken, progress }).changes === 1,
      ),
      prune: db.transaction(
        (before: number, limit: number) => statements.pruneJobs.run({ before, limit }).changes,
      ),
      deleteJob: db.transaction(
        (id: string, from: string) => statements.deleteJob.run({ id, from }).changes === 1,
      ),
      recordWorker: db.transaction((worker: WorkerRecord) => {
        statements.recordWorker.run({
          ...worker,
          queues: worker.queues === null ? null : JSON.stringify(worker.queues),
          tasks: JSON.stringify(worker.tasks),
        });
      }),
      removeWorker: db.transaction((id: string) => {
        statements.removeWorker.run({ id });
      }),
      requestCancel: db.transaction((id: string) => statements.requestCancel.run({ id }).changes === 1),
      setQueuePaused: db.transaction((queue: string, paused: boolean) => {
        (paused ? statements.pauseQueue : statements.resumeQueue).run({ queue });
      }),
      recordSchedules: db.transaction((schedules: readonly ScheduleDefinition[], declaredAt: number) => {
        for (const { name, task, spec, payload } of schedules) {
          statements.recordSchedule.run({ name, task, spec, payload, declaredAt });
        }
      }),
      // The tick first: only the one caller that moves lastTickAt inserts the jobs, and a job the
      // store rejects rolls the tick back with it.
      fireSchedule: db.transaction((name: string, tick: number, jobs: readonly NewJob[]) =>
        statements.claimTick.run({ name, tick }).changes === 1 ? writer.insertJobs(jobs) : null,
      ),
      setSchedulePaused: db.transaction(
        (name: string, paused: boolean) =>
          statements.setSchedulePaused.run({ name, paused: paused ? 1 : 0 }).changes === 1,
      ),
    };
  }

  async insert(jobs: readonly NewJob[], options?: InsertOptions): Promise<string[]> {
    const ready = this.#require();
    const tx = options?.tx;
    // Checked even for an empty batch, so a wrong tx shows up at once.
    const writer = tx === undefined ? null : ready.callerTransactions.writer(tx, 'insert');
    if (jobs.length === 0) return [];
    // In the caller's transaction: a savepoint in it. Otherwise: our own IMMEDIATE transaction.
    return writer === null ? ready.writer.insertBatch.immediate(jobs) : writer.insertBatch(jobs);
  }

  async insertUnique(
    job: NewUniqueJob,
    options: { now: number; tx?: unknown },
  ): Promise<{ id: string; created: boolean }> {
    const ready = this.#require();
    const { now, tx } = options;
    if (tx === undefined) return ready.writer.insertUnique.immediate(job, now);
    return ready.callerTransactions.writer(tx, 'insertUnique').insertUnique(job, now);
  }

  async claim(request: ClaimRequest): Promise<JobRecord[]> {
    const ready = this.#require();
    const { queues, tasks, limit } = request;
    if (limit <= 0 || tasks.length === 0 || queues?.length === 0) return [];
    const params: ClaimParams = {
      tasks: JSON.stringify(tasks),
      queues: queues === null ? null : JSON.stringify(queues),
      excludeQueues: JSON.stringify(request.excludeQueues ?? []),
      limit,
      now: request.now,
      leaseToken: request.leaseToken,
      leaseUntil: request.leaseUntil,
      workerId: request.workerId,
    };
    const rows =
      request.rate === undefined && request.concurrency === undefined
        ? ready.claim.immediate(params)
        : ready.limitedClaim.immediate(request, params);
    return rows.sort(byClaimOrder).map(toRecord);
  }

  async renewLeases(leases: readonly Lease[], leaseUntil: number): Promise<string[]> {
    const ready = this.#require();
    return leases.length === 0 ? [] : ready.renewLeases.immediate(leases, leaseUntil);
  }

  async transition(changes: readonly JobTransition[]): Promise<boolean[]> {
    const ready = this.#require();
    return changes.length === 0 ? [] : ready.transition.immediate(changes);
  }

  async recordProgress(id: string, leaseToken: string, progress: string): Promise<boolean> {
    return this.#require().recordProgress.immediate(id, leaseToken, progress);
  }

  async findExpired(request: { now: number; limit: number }): Promise<JobRecord[]> {
    const { statements } = this.#require();
    if (request.limit <= 0) return [];
    return statements.findExpired.all({ now: request.now, limit: request.limit }).map(toRecord);
  }

  async get(id: string): Promise<JobRecord | null> {
    const { statements } = this.#require();
    // Only canonical ids: SQLite would also read ' 7' or '7.0' as job 7.
    if (typeof id !== 'string' || !ID.test(id)) return null;
    const row = statements.getJob.get({ id });
    return row === undefined ? null : toRecord(row);
  }

  async list(filter: ListFilter): Promise<JobPage> {
    const ready = this.#require();
    const { limit } = filter;
    if (limit <= 0) return { jobs: [], next: null };
    const before = filter.before === undefined ? NO_CURSOR : cursor(filter.before);
    // One more than asked, to know whether another page follows.
    const rows = ready.list(filter, before, limit + 1);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const jobs = rows.map(toRecord);
    return { jobs, next: more ? jobs[jobs.length - 1]!.id : null };
  }

  async stats(): Promise<StateCount[]> {
    return this.#require().statements.jobStats.all();
  }

  async prune(request: { before: number; limit: number }): Promise<number> {
    const ready = this.#require();
    return request.limit <= 0 ? 0 : ready.prune.immediate(request.before, request.limit);
  }

  async deleteJob(id: string, from: readonly JobState[]): Promise<boolean> {
    const ready = this.#require();
    if (typeof id !== 'string' || !ID.test(id) || from.length === 0) return false;
    return ready.deleteJob.immediate(id, JSON.stringify(from));
  }

  async finishedCounts(request: FinishedCountsRequest): Promise<FinishedCount[]> {
    return this.#require().statements.finishedCounts.all(request);
  }

  async recordWorker(worker: WorkerRecord): Promise<void> {
    this.#require().recordWorker.immediate(worker);
  }

  async listWorkers(request: { seenSince: number }): Promise<WorkerRecord[]> {
    return this.#require().statements.listWorkers.all({ seenSince: request.seenSince }).map(toWorkerRecord);
  }

  async removeWorker(id: string): Promise<void> {
    this.#require().removeWorker.immediate(id);
  }

  async requestCancel(id: string): Promise<boolean> {
    const ready = this.#require();
    return typeof id === 'string' && ID.test(id) && ready.requestCancel.immediate(id);
  }

  async cancelRequested(ids: readonly string[]): Promise<string[]> {
    const { statements } = this.#require();
    const valid = ids.filter((id) => typeof id === 'string' && ID.test(id));
    if (valid.length === 0) return [];
    // The canonical ids are JSON numbers as they are.
    const marked = new Set(
      statements.cancelRequested.all({ ids: `[${valid.join(',')}]` }).map(({ id }) => String(id)),
    );
    return valid.filter((id) => marked.has(id));
  }

  async setQueuePaused(queue: string, paused: boolean): Promise<void> {
    this.#require().setQueuePaused.immediate(queue, paused);
  }

  async pausedQueues(): Promise<string[]> {
    return this.#require()
      .statements.pausedQueues.all()
      .map(({ queue }) => queue);
  }

  async recordSchedules(schedules: readonly ScheduleDefinition[], declaredAt: number): Promise<void> {
    const ready = this.#require();
    if (schedules.length > 0) ready.recordSchedules.immediate(schedules, declaredAt);
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return this.#require().statements.listSchedules.all().map(toScheduleRecord);
  }

  async fireSchedule(fire: {
    name: string;
    tick: number;
    jobs: readonly NewJob[];
  }): Promise<string[] | null> {
    return this.#require().fireSchedule.immediate(fire.name, fire.tick, fire.jobs);
  }

  async setSchedulePaused(name: string, paused: boolean): Promise<boolean> {
    return this.#require().setSchedulePaused.immediate(name, paused);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const db = this.#ready?.db;
    this.#ready = null;
    // An app's own connection stays open: it is the app's to close.
    if (db !== undefined && this.#options.database === null && db.open) db.close();
  }

  #require(): Ready {
    if (this.#ready !== null) return this.#ready;
    throw new Error(
      this.#closed
        ? 'sqlite backend: used after close(); create a new backend'
        : 'sqlite backend: call init() before using it (the errand app does this when it starts)',
    );
  }

  /** errand's connection: the app's own, or a file opened in WAL mode. */
  #open(): Database {
    const { database, path, busyTimeoutMs, busyTimeoutGiven } = this.#options;
    if (database !== null) {
      if (busyTimeoutGiven) database.pragma(`busy_timeout = ${busyTimeoutMs}`);
      return database;
    }
    assertDriverRunsHere();
    let db: Database;
    try {
      db = new BetterSqlite3(path, { timeout: busyTimeoutMs });
    } catch (error) {
      throw new Error(
        `sqlite backend: cannot open ${JSON.stringify(path)}: ${(error as Error).message}. ` +
          `Check that its directory exists and is writable, or pass another path.`,
        { cause: error },
      );
    }
    // WAL: readers never block the writer and worker processes share the file well. NORMAL is
    // durable across application crashes; a power cut may lose the last commits, never corrupt.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return db;
  }
}

/** list()'s `before` cursor: a job id (decimal string). */
function cursor(before: string): bigint {
  if (typeof before !== 'string' || !/^[0-9]{1,19}$/.test(before)) {
    throw new TypeError(
      `list: before must be a job id such as "42", the previous page's next (got ${JSON.stringify(before)})`,
    );
  }
  return BigInt(before);
}
