import { CLAIMABLE_STATES, FINISHED_STATES, type JobState } from '../jobs/states.ts';
import type {
  Backend,
  ClaimRequest,
  FinishedCount,
  FinishedCountsRequest,
  InsertOptions,
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
} from '../storage/backend.ts';
import { DueIndex } from './due-index.ts';
import { RateLog } from './rate-log.ts';
import { ScheduleBook } from './schedule-book.ts';
import { assertBatchStorable, assertStorable } from './storable.ts';

/** How a unique job holds its key (JobRecord shows only the key). */
interface UniqueHold {
  states: readonly JobState[];
  until: number | null;
}

/**
 * A Backend in plain Maps, for tests and single-process experiments.
 *
 * Each method does all its work synchronously before its promise settles, so in
 * single-threaded JavaScript every call is atomic: two claims cannot interleave.
 * Records go in and come out as copies; a caller can never reach stored state.
 * Nothing survives the process.
 *
 * Claims and rescues do not look at every job: the queued and scheduled ones
 * are in a DueIndex (due-index.ts), the running ones in a set. #add() indexes
 * each new job, and every later change of a job's state or runAt goes through
 * #moved(), which keeps both in step.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'memory';

  /** Keyed by id; a Map iterates in insertion order, which is id order. */
  readonly #jobs = new Map<string, JobRecord>();
  /** The queued and scheduled jobs, in claim order. */
  readonly #due = new DueIndex();
  /** How many jobs are queued or scheduled: transition() compacts #due when it holds far more entries. */
  #claimable = 0;
  /** The running jobs, for concurrency limits and findExpired(). */
  readonly #running = new Set<JobRecord>();
  readonly #workers = new Map<string, WorkerRecord>();
  /** Keyed by the id of a job inserted with insertUnique(). */
  readonly #uniqueHolds = new Map<string, UniqueHold>();
  readonly #pausedQueues = new Set<string>();
  readonly #rateLog = new RateLog();
  readonly #schedules = new ScheduleBook();
  #lastId = 0;

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async insert(jobs: readonly NewJob[], options: InsertOptions = {}): Promise<string[]> {
    refuseTransaction(options.tx, 'insert');
    assertBatchStorable(jobs, 'insert');
    return jobs.map((job) => this.#add(job, null));
  }

  async insertUnique(
    job: NewUniqueJob,
    options: { now: number; tx?: unknown },
  ): Promise<{ id: string; created: boolean }> {
    refuseTransaction(options.tx, 'insertUnique');
    assertStorable(job, 'insertUnique');
    if (typeof job.uniqueKey !== 'string') {
      throw new TypeError(`insertUnique: "uniqueKey" must be a string (got ${typeof job.uniqueKey})`);
    }
    // The holds are in insertion order, so the first holder found is the oldest.
    for (const [id, hold] of this.#uniqueHolds) {
      const holder = this.#jobs.get(id);
      if (
        holder?.uniqueKey === job.uniqueKey &&
        hold.states.includes(holder.state) &&
        (hold.until === null || hold.until > options.now)
      ) {
        return { id, created: false };
      }
    }
    const id = this.#add(job, job.uniqueKey);
    this.#uniqueHolds.set(id, { states: [...job.uniqueStates], until: job.uniqueUntil });
    return { id, created: true };
  }

  /** Stores one checked job; returns its id. */
  #add(job: NewJob, uniqueKey: string | null): string {
    const id = String(++this.#lastId);
    const record: JobRecord = {
      id,
      task: job.task,
      queue: job.queue,
      state: job.state,
      priority: job.priority,
      payload: job.payload,
      result: null,
      progress: null,
      errors: '[]',
      attempt: 0,
      maxAttempts: job.maxAttempts,
      runAt: job.runAt,
      createdAt: job.createdAt,
      startedAt: null,
      finishedAt: null,
      leaseToken: null,
      leaseUntil: null,
      workerId: null,
      uniqueKey,
      concurrencyKey: job.concurrencyKey ?? null,
      cancelRequested: false,
    };
    this.#jobs.set(id, record);
    this.#claimable += 1;
    this.#due.add(record);
    return id;
  }

  /**
   * Call after changing a stored job's state or runAt, with the values before:
   * indexes it again if it is now queued or scheduled, and keeps the running set.
   */
  #moved(job: JobRecord, state: JobState, runAt: number): void {
    if (job.state === 'running') this.#running.add(job);
    else if (state === 'running') this.#running.delete(job);
    const was = CLAIMABLE_STATES.includes(state);
    const is = CLAIMABLE_STATES.includes(job.state);
    this.#claimable += Number(is) - Number(was);
    if (is && (state !== job.state || runAt !== job.runAt)) this.#due.add(job);
  }

  async claim(request: ClaimRequest): Promise<JobRecord[]> {
    const { queues, tasks, now, rate, concurrency } = request;
    const excluded = new Set([...this.#pausedQueues, ...(request.excludeQueues ?? [])]);
    const limit = Math.min(request.limit, rate === undefined ? Infinity : this.#rateLog.allowance(rate, now));
    // Running jobs per concurrencyKey, counting each one this claim takes.
    const running = concurrency === undefined ? null : this.#runningPerKey();
    const taken = this.#due.select({ tasks, queues, excluded, now }, limit, (job) => {
      const key = job.concurrencyKey;
      if (running !== null && concurrency !== undefined && key !== null) {
        const count = running.get(key) ?? 0;
        if (count >= concurrency.max) return false;
        running.set(key, count + 1);
      }
      const state = job.state;
      job.state = 'running';
      job.attempt += 1;
      job.startedAt = now;
      job.leaseToken = request.leaseToken;
      job.leaseUntil = request.leaseUntil;
      job.workerId = request.workerId;
      this.#moved(job, state, job.runAt);
      return true;
    });
    if (rate !== undefined) this.#rateLog.record(rate.key, now, taken.length);
    return taken.map((job) => ({ ...job }));
  }

  /** Running jobs per concurrencyKey: a walk over the running jobs only. */
  #runningPerKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { concurrencyKey } of this.#running) {
      if (concurrencyKey !== null) counts.set(concurrencyKey, (counts.get(concurrencyKey) ?? 0) + 1);
    }
    return counts;
  }

  async renewLeases(leases: readonly Lease[], leaseUntil: number): Promise<string[]> {
    const renewed: string[] = [];
    for (const { id, leaseToken } of leases) {
      const job = this.#jobs.get(id);
      if (job?.state === 'running' && job.leaseToken === leaseToken) {
        job.leaseUntil = leaseUntil;
        renewed.push(id);
      }
    }
    return renewed;
  }

  async transition(changes: readonly JobTransition[]): Promise<boolean[]> {
    const applied = changes.map((change) => this.#apply(change));
    // Cancelled or rescheduled jobs leave stale entries behind; drop them once they outnumber the live ones.
    if (this.#due.size > 2 * this.#claimable + 1_024) this.#due.compact();
    return applied;
  }

  #apply(change: JobTransition): boolean {
    const job = this.#jobs.get(change.id);
    if (job === undefined || !change.from.includes(job.state)) return false;
    if (change.leaseToken !== undefined && job.leaseToken !== change.leaseToken) return false;
    if (
      change.leaseExpiredBefore !== undefined &&
      !(job.leaseUntil !== null && job.leaseUntil < change.leaseExpiredBefore)
    ) {
      return false;
    }
    if (change.remove) {
      this.#remove(job);
      return true;
    }
    const { state, runAt } = job;
    job.state = change.to;
    if (change.runAt !== undefined) job.runAt = change.runAt;
    if (change.result !== undefined) job.result = change.result;
    if (change.errors !== undefined) job.errors = change.errors;
    if (change.attempt !== undefined) job.attempt = change.attempt;
    if (change.maxAttempts !== undefined) job.maxAttempts = change.maxAttempts;
    if (change.startedAt !== undefined) job.startedAt = change.startedAt;
    if (change.finishedAt !== undefined) job.finishedAt = change.finishedAt;
    if (change.to !== 'running') {
      job.leaseToken = null;
      job.leaseUntil = null;
      job.workerId = null;
      job.cancelRequested = false;
    }
    this.#moved(job, state, runAt);
    return true;
  }

  async recordProgress(id: string, leaseToken: string, progress: string): Promise<boolean> {
    const job = this.#jobs.get(id);
    if (job?.state !== 'running' || job.leaseToken !== leaseToken) return false;
    job.progress = progress;
    return true;
  }

  async findExpired(request: { now: number; limit: number }): Promise<JobRecord[]> {
    return [...this.#running]
      .filter((job) => job.leaseUntil !== null && job.leaseUntil < request.now)
      .sort((a, b) => (a.leaseUntil ?? 0) - (b.leaseUntil ?? 0) || Number(a.id) - Number(b.id))
      .slice(0, Math.max(0, request.limit))
      .map((job) => ({ ...job }));
  }

  async get(id: string): Promise<JobRecord | null> {
    const job = this.#jobs.get(id);
    return job === undefined ? null : { ...job };
  }

  async list(filter: ListFilter): Promise<JobPage> {
    const before = filter.before === undefined ? Infinity : Number(filter.before);
    const limit = Math.max(0, filter.limit);
    const jobs: JobRecord[] = [];
    let more = false;
    // Newest first: walk the ids from the highest down, and look one past the page to know if more remain.
    for (const job of [...this.#jobs.values()].reverse()) {
      if (!(Number(job.id) < before)) continue;
      if (filter.state !== undefined && job.state !== filter.state) continue;
      if (filter.task !== undefined && job.task !== filter.task) continue;
      if (filter.queue !== undefined && job.queue !== filter.queue) continue;
      if (jobs.length === limit) {
        more = true;
        break;
      }
      jobs.push({ ...job });
    }
    const last = jobs.at(-1);
    return { jobs, next: more && last !== undefined ? last.id : null };
  }

  async stats(): Promise<StateCount[]> {
    const groups = new Map<string, StateCount>();
    for (const { queue, task, state } of this.#jobs.values()) {
      const key = JSON.stringify([queue, task, state]);
      const group = groups.get(key) ?? { queue, task, state, count: 0 };
      group.count += 1;
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  async prune(request: { before: number; limit: number }): Promise<number> {
    let deleted = 0;
    for (const job of this.#jobs.values()) {
      if (deleted >= request.limit) break;
      if (FINISHED_STATES.includes(job.state) && job.finishedAt !== null && job.finishedAt < request.before) {
        this.#jobs.delete(job.id);
        this.#uniqueHolds.delete(job.id);
        deleted += 1;
      }
    }
    return deleted;
  }

  async deleteJob(id: string, from: readonly JobState[]): Promise<boolean> {
    const job = this.#jobs.get(id);
    if (job === undefined || !from.includes(job.state)) return false;
    this.#remove(job);
    return true;
  }

  #remove(job: JobRecord): void {
    this.#jobs.delete(job.id);
    this.#uniqueHolds.delete(job.id);
    this.#running.delete(job);
    if (CLAIMABLE_STATES.includes(job.state)) this.#claimable -= 1;
    this.#due.forget(job);
  }

  async finishedCounts(request: FinishedCountsRequest): Promise<FinishedCount[]> {
    const { since, until, bucketMs } = request;
    const groups = new Map<string, FinishedCount>();
    for (const { queue, state, finishedAt } of this.#jobs.values()) {
      if (state !== 'succeeded' && state !== 'failed' && state !== 'cancelled') continue;
      if (finishedAt === null || finishedAt < since || finishedAt >= until) continue;
      const bucket = since + Math.floor((finishedAt - since) / bucketMs) * bucketMs;
      const key = JSON.stringify([queue, state, bucket]);
      const group = groups.get(key) ?? { queue, state, bucket, count: 0 };
      group.count += 1;
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  async recordWorker(worker: WorkerRecord): Promise<void> {
    this.#workers.set(worker.id, copyWorker(worker));
  }

  async listWorkers(request: { seenSince: number }): Promise<WorkerRecord[]> {
    return [...this.#workers.values()]
      .filter((worker) => worker.heartbeatAt >= request.seenSince)
      .map(copyWorker);
  }

  async removeWorker(id: string): Promise<void> {
    this.#workers.delete(id);
  }

  async requestCancel(id: string): Promise<boolean> {
    const job = this.#jobs.get(id);
    if (job?.state !== 'running') return false;
    job.cancelRequested = true;
    return true;
  }

  async cancelRequested(ids: readonly string[]): Promise<string[]> {
    return ids.filter((id) => {
      const job = this.#jobs.get(id);
      return job?.state === 'running' && job.cancelRequested;
    });
  }

  async setQueuePaused(queue: string, paused: boolean): Promise<void> {
    if (paused) this.#pausedQueues.add(queue);
    else this.#pausedQueues.delete(queue);
  }

  async pausedQueues(): Promise<string[]> {
    return [...this.#pausedQueues].sort();
  }

  async recordSchedules(schedules: readonly ScheduleDefinition[], declaredAt: number): Promise<void> {
    this.#schedules.record(schedules, declaredAt);
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return this.#schedules.list();
  }

  async fireSchedule(fire: {
    name: string;
    tick: number;
    jobs: readonly NewJob[];
  }): Promise<string[] | null> {
    if (!this.#schedules.canFire(fire.name, fire.tick)) return null;
    assertBatchStorable(fire.jobs, `fireSchedule "${fire.name}"`);
    this.#schedules.markFired(fire.name, fire.tick);
    return fire.jobs.map((job) => this.#add(job, null));
  }

  async setSchedulePaused(name: string, paused: boolean): Promise<boolean> {
    return this.#schedules.setPaused(name, paused);
  }
}

/** A new in-memory backend with nothing in it. */
export function memoryBackend(): Backend {
  return new MemoryBackend();
}

function copyWorker(worker: WorkerRecord): WorkerRecord {
  return { ...worker, queues: worker.queues === null ? null : [...worker.queues], tasks: [...worker.tasks] };
}

function refuseTransaction(tx: unknown, call: string): void {
  if (tx !== undefined) {
    throw new Error(
      `The memory backend cannot join a caller's transaction: call ${call}() without \`tx\`, or use a SQL backend.`,
    );
  }
}
