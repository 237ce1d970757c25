import type { JobState } from '../jobs/states.ts';

/**
 * The storage seam. Everything a backend does is here, and nothing else.
 *
 * The core decides; a backend stores and applies atomically. A backend never
 * parses a payload, computes a delay, counts attempts or picks a next state:
 * it keeps rows, claims atomically and applies the conditional updates the
 * core builds. Every time-dependent call is handed `now` (epoch milliseconds)
 * by the core, so a backend never reads the wall clock.
 *
 * Each method below states its atomicity and ordering guarantees; the shared
 * contract suite (test/contract) checks them against every backend.
 */
export interface Backend {
  /** A short name for logs and the CLI, e.g. `sqlite`, `memory`. */
  readonly kind: string;

  /**
   * Prepares storage (creates or migrates tables, loads scripts). The core
   * calls it once before any other method; calling it again is harmless.
   */
  init(): Promise<void>;

  /**
   * Inserts a batch of new jobs, all or none: a batch with a record the store
   * cannot hold (a field missing or of the wrong type) throws and stores none
   * of it. Returns their ids in input order. Ids are decimal strings of
   * positive integers that increase in insertion order across the whole store
   * (the CLI and list() page by them). A new job starts with attempt 0, errors
   * `[]`, and result, progress, startedAt, finishedAt and the lease fields null.
   *
   * `tx`: a backend-specific handle on the caller's own open transaction
   * (a better-sqlite3 Database inside BEGIN, a pg client inside BEGIN). When
   * given, the insert runs there and commits or rolls back with it. A backend
   * that cannot join a caller's transaction throws when `tx` is given, and any
   * backend throws when `tx` is not a handle it can use: it never quietly
   * inserts outside the caller's transaction.
   */
  insert(jobs: readonly NewJob[], options?: InsertOptions): Promise<string[]>;

  /**
   * Claims up to `limit` jobs atomically: each due job (state `queued`, or
   * `scheduled` with runAt <= now) whose task is in `tasks` and, when `queues`
   * is not null, whose queue is in `queues`. Jobs are taken in order of
   * priority (lower first), then runAt, then id. Each claimed job becomes
   * `running` with attempt + 1, startedAt = now, and the given lease
   * (leaseToken, leaseUntil, workerId). Two concurrent claims never return the
   * same job. Returns the jobs as they are after the claim, in claim order.
   */
  claim(request: ClaimRequest): Promise<JobRecord[]>;

  /**
   * The heartbeat: extends to `leaseUntil` the lease of each job still
   * `running` under the given token. Returns the ids whose lease was extended;
   * a job missing from the answer has been taken from this worker.
   */
  renewLeases(leases: readonly Lease[], leaseUntil: number): Promise<string[]>;

  /**
   * Applies a batch of compare-and-set changes built by the core. Each change
   * applies only if the job is in one of `from` and, when `leaseToken` is
   * given, still holds that lease; otherwise it is skipped and reported false.
   * Each change is atomic on its own; the batch need not be. A change whose
   * `to` is not `running` clears leaseToken, leaseUntil and workerId, and sets
   * cancelRequested to false (a cancel request belongs to a running attempt).
   * Fields left undefined are kept as they are. A change with `remove` deletes
   * the job instead, on the same conditions, as deleteJob() does.
   */
  transition(changes: readonly JobTransition[]): Promise<boolean[]>;

  /**
   * Stores a running job's progress (JSON text) if it still holds `leaseToken`.
   * Returns false when the lease is gone.
   */
  recordProgress(id: string, leaseToken: string, progress: string): Promise<boolean>;

  /**
   * Jobs in state `running` whose leaseUntil < now, oldest lease first, at
   * most `limit`. Read only: the core rescues them with transition(), which
   * stays correct when several nodes rescue at once.
   */
  findExpired(request: { now: number; limit: number }): Promise<JobRecord[]>;

  /** One job, or null when there is no job with that id (or the id is not a decimal number). */
  get(id: string): Promise<JobRecord | null>;

  /**
   * Jobs matching the filter, newest (highest id) first, at most `limit`.
   * `before`: only ids lower than this one, compared as numbers (the cursor of
   * the previous page). `next` is the cursor for the following page (the id of
   * this page's last job), or null when no matching job is left after this
   * page, so paging never ends on an empty page. A backend should find a page
   * through an index for each filter it is given (the dashboard pages through
   * millions of finished jobs), so that a page's cost does not grow with the
   * jobs the filter skips; every backend does (Redis with a zset per (queue, task) and state).
   */
  list(filter: ListFilter): Promise<JobPage>;

  /** Job counts grouped by queue, task and state; groups with no job are left out. */
  stats(): Promise<StateCount[]>;

  /**
   * Deletes up to `limit` jobs in a finished state (succeeded, failed,
   * cancelled) whose finishedAt < before. Returns how many it deleted.
   */
  prune(request: { before: number; limit: number }): Promise<number>;

  /**
   * Deletes one job if its state is in `from`, atomically: a compare-and-delete,
   * so a job that moved to another state meanwhile (claimed, finished) is kept.
   * Everything the store keeps for the job goes with it (its index entries, its
   * hold on a unique key). Returns true if it deleted the job; false, changing
   * nothing, when there is no such job (or the id is not a decimal number) or
   * its state is not in `from`. The core decides which states may be deleted.
   */
  deleteJob(id: string, from: readonly JobState[]): Promise<boolean>;

  /**
   * Counts the jobs now in a finished state (succeeded, failed, cancelled)
   * whose finishedAt is in [since, until), grouped by queue, state and time
   * bucket: a job finished at t counts in the bucket starting at
   * since + floor((t - since) / bucketMs) * bucketMs. Groups with no job are
   * left out; the order is unspecified. Reads only. The cost grows with the
   * number of jobs finished in the window (an index range, not a table scan).
   * A job that was pruned, deleted or retried since no longer counts.
   */
  finishedCounts(request: FinishedCountsRequest): Promise<FinishedCount[]>;

  /** Records (inserts or replaces) a live worker's presence. */
  recordWorker(worker: WorkerRecord): Promise<void>;

  /** Workers whose last heartbeat is at or after `seenSince`. */
  listWorkers(request: { seenSince: number }): Promise<WorkerRecord[]>;

  /** Forgets a worker (on clean shutdown). Forgetting an unknown id is harmless. */
  removeWorker(id: string): Promise<void>;

  /**
   * Inserts one job unless another job holds the same uniqueKey: a job holds
   * its key while its state is in the uniqueStates it was inserted with and
   * its uniqueUntil is null or > now. Returns the holder's id with created
   * false, or the new job's id with created true. Atomic under concurrent
   * calls from any number of processes. `tx` as for insert().
   *
   * When several jobs hold the key (an operator retried an old holder back
   * into its uniqueStates), the oldest (lowest id) is returned. A job the store
   * cannot hold throws and stores nothing, as for insert().
   */
  insertUnique(
    job: NewUniqueJob,
    options: { now: number; tx?: unknown },
  ): Promise<{ id: string; created: boolean }>;

  /**
   * Marks a running job as asked to cancel (its worker aborts it). Returns
   * true if the job is running and now marked (also when it already was);
   * false otherwise, changing nothing (the core cancels a job that has not
   * started with transition()). The lease is untouched: the worker still
   * renews it and ends the job with transition().
   */
  requestCancel(id: string): Promise<boolean>;

  /** Of these ids, in the order given, the jobs still running whose cancellation was requested. */
  cancelRequested(ids: readonly string[]): Promise<string[]>;

  /**
   * Pauses or resumes a queue (one with no jobs yet too). claim() never takes a
   * job from a paused queue; its jobs stay as they are, running ones included.
   * Pausing a paused queue or resuming one that is not paused is harmless.
   */
  setQueuePaused(queue: string, paused: boolean): Promise<void>;

  /** The paused queues, in name order. */
  pausedQueues(): Promise<string[]>;

  /**
   * Records the schedules declared in code. A new one starts with
   * lastTickAt null and not paused; an existing one gets the given task,
   * spec and payload and declaredAt, and keeps its lastTickAt and paused.
   * Recorded schedules missing from `schedules` are left as they are (another
   * app may declare them; an old declaredAt tells a removed one).
   */
  recordSchedules(schedules: readonly ScheduleDefinition[], declaredAt: number): Promise<void>;

  /** Every recorded schedule, in name order. */
  listSchedules(): Promise<ScheduleRecord[]>;

  /**
   * Fires one tick of a schedule, exactly once however many workers try:
   * atomically, if the schedule exists, is not paused and its lastTickAt is
   * null or < tick, sets lastTickAt = tick and inserts `jobs`, returning
   * their ids. Otherwise writes nothing and returns null. A job the store
   * cannot hold throws and writes nothing, lastTickAt included.
   */
  fireSchedule(fire: { name: string; tick: number; jobs: readonly NewJob[] }): Promise<string[] | null>;

  /** Pauses or resumes a schedule. Returns false when there is no such schedule. */
  setSchedulePaused(name: string, paused: boolean): Promise<boolean>;

  /**
   * Optional cross-process wake-ups (LISTEN/NOTIFY, Redis pub/sub). Without
   * it, workers in other processes find new jobs by polling.
   */
  readonly wakeups?: Wakeups;

  /**
   * Whether a worker gains by keeping two claims in flight, each for half its
   * slots, so that one claim's round trip overlaps the other's jobs running.
   * True for a store across a network hop that serves claims cheaply one
   * after another (Redis). Left false where claims are synchronous in
   * process (SQLite, memory), or where two claims at once contend: with
   * PostgreSQL's SKIP LOCKED, each walks past the rows the other locked.
   * Whatever it says, claim() must stay correct under concurrent calls.
   * (Default: false)
   */
  readonly overlapClaims?: boolean;

  /** Releases connections. Calling it twice is harmless. */
  close(): Promise<void>;
}

/** A job as a backend keeps it. JSON fields stay text: a backend never parses them. */
export interface JobRecord {
  id: string;
  task: string;
  queue: string;
  state: JobState;
  /** Lower runs first. */
  priority: number;
  /** The input, as JSON text. */
  payload: string;
  /** The handler's return value as JSON text, once succeeded. */
  result: string | null;
  /** The latest progress report, as JSON text. */
  progress: string | null;
  /** Every attempt's error, as a JSON array text written by the core. */
  errors: string;
  /** Attempts started so far. */
  attempt: number;
  maxAttempts: number;
  /** When the job is due (epoch ms). */
  runAt: number;
  createdAt: number;
  /** When the latest attempt started. */
  startedAt: number | null;
  finishedAt: number | null;
  leaseToken: string | null;
  leaseUntil: number | null;
  workerId: string | null;
  /** The key a unique job was enqueued with. */
  uniqueKey: string | null;
  /** Jobs sharing this key count against one concurrency limit. */
  concurrencyKey: string | null;
  /** A running job someone asked to cancel; false in every other state (see transition()). */
  cancelRequested: boolean;
}

export interface NewJob {
  task: string;
  queue: string;
  state: 'queued' | 'scheduled';
  priority: number;
  payload: string;
  maxAttempts: number;
  runAt: number;
  createdAt: number;
  /** Jobs sharing this key count against one concurrency limit. (Default: null) */
  concurrencyKey?: string | null;
}

export interface NewUniqueJob extends NewJob {
  uniqueKey: string;
  /** The states in which this job holds its key. */
  uniqueStates: readonly JobState[];
  /** When the job stops holding its key whatever its state (epoch ms), or null. */
  uniqueUntil: number | null;
}

export interface ScheduleDefinition {
  name: string;
  task: string;
  /** The schedule's timing as JSON text written by the core (cron and time zone, or interval). */
  spec: string;
  /** The input of each tick's job, as JSON text. */
  payload: string;
}

export interface ScheduleRecord extends ScheduleDefinition {
  /** The latest tick fired (epoch ms), or null. */
  lastTickAt: number | null;
  paused: boolean;
  /** When a worker last declared it in code. */
  declaredAt: number;
}

export interface InsertOptions {
  /** The caller's open transaction, in the backend's own terms. */
  tx?: unknown;
}

export interface ClaimRequest {
  /** Queues to take from, or null for every queue. */
  queues: readonly string[] | null;
  /** Only jobs of these tasks: the ones the claiming worker can run. */
  tasks: readonly string[];
  limit: number;
  workerId: string;
  /** Unique to this claim call, so each attempt of a job has its own token. */
  leaseToken: string;
  leaseUntil: number;
  now: number;
  /** Never from these queues (a worker claims a rate-limited queue in a claim of its own). */
  excludeQueues?: readonly string[];
  /**
   * A start-rate limit shared by every claimer using `key`: claims at most
   * max minus the starts recorded under `key` after now - periodMs, and
   * records a start at `now` for each job it claims. Atomic across claimers.
   * With max or less already started, it claims nothing. Starts recorded at a
   * time after `now` count too: claimers read `now` before they reach the
   * store, so a claim may come after one with a later `now`, and must not fill
   * the same window again. So a backend keeps starts for two periods.
   */
  rate?: { key: string; max: number; periodMs: number };
  /**
   * A concurrency limit: claims a job only while fewer than `max` jobs with
   * its concurrencyKey are running, counting those this claim takes. Jobs
   * with no concurrencyKey are not limited. Atomic across claimers. Every
   * running job counts, whatever its queue or task, and whether its lease has
   * expired or not (until a rescue takes it out of running). A job skipped for
   * its key does not hold back the jobs after it in claim order.
   */
  concurrency?: { max: number };
}

export interface Lease {
  id: string;
  leaseToken: string;
}

export interface JobTransition {
  id: string;
  /** Applies only if the job is in one of these states. */
  from: readonly JobState[];
  /** And, when given, only if the job still holds this lease. */
  leaseToken?: string;
  /**
   * And, when given, only if the job's leaseUntil < this. A rescue sets it, so
   * a heartbeat that renewed the lease after findExpired() read it wins.
   */
  leaseExpiredBefore?: number;
  to: JobState;
  runAt?: number;
  result?: string | null;
  errors?: string;
  attempt?: number;
  maxAttempts?: number;
  startedAt?: number | null;
  finishedAt?: number | null;
  /**
   * Deletes the job instead of writing `to` and the fields, when the same
   * conditions hold: everything the store keeps for it goes, as with
   * deleteJob(). The worker sets it on a success of a task that keeps no
   * succeeded jobs (TaskOptions.keepSucceeded).
   */
  remove?: boolean;
}

export interface ListFilter {
  state?: JobState;
  task?: string;
  queue?: string;
  before?: string;
  limit: number;
}

export interface JobPage {
  jobs: JobRecord[];
  next: string | null;
}

export interface StateCount {
  queue: string;
  task: string;
  state: JobState;
  count: number;
}

export interface FinishedCountsRequest {
  /** The window's start (epoch ms), inclusive; also where the first bucket starts. */
  since: number;
  /** The window's end (epoch ms), exclusive. */
  until: number;
  /** Each bucket's width in ms, > 0. */
  bucketMs: number;
}

export interface FinishedCount {
  queue: string;
  state: Extract<JobState, 'succeeded' | 'failed' | 'cancelled'>;
  /** The bucket's start (epoch ms). */
  bucket: number;
  count: number;
}

export interface WorkerRecord {
  id: string;
  hostname: string;
  pid: number;
  /** Queues it takes from, or null for all. */
  queues: string[] | null;
  /** Tasks it can run. */
  tasks: string[];
  concurrency: number;
  startedAt: number;
  heartbeatAt: number;
}

export interface Wakeups {
  /** Tells listening workers that jobs were added to these queues. */
  notify(queues: readonly string[]): Promise<void>;
  /** Calls `listener` with the queues that got jobs (an empty list: any queue may have); returns an unsubscribe. */
  subscribe(listener: (queues: readonly string[]) => void): Promise<() => Promise<void>>;
}
