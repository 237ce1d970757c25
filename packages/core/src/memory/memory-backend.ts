import { FINISHED_STATES } from '../jobs/states.ts';
import type {
  Backend,
  ClaimRequest,
  InsertOptions,
  JobPage,
  JobRecord,
  JobTransition,
  Lease,
  ListFilter,
  NewJob,
  StateCount,
  WorkerRecord,
} from '../storage/backend.ts';

/**
 * A Backend in plain Maps, for tests and single-process experiments.
 *
 * Each method does all its work synchronously before its promise settles, so in
 * single-threaded JavaScript every call is atomic: two claims cannot interleave.
 * Records go in and come out as copies; a caller can never reach stored state.
 * Nothing survives the process.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'memory';

  /** Keyed by id; a Map iterates in insertion order, which is id order. */
  readonly #jobs = new Map<string, JobRecord>();
  readonly #workers = new Map<string, WorkerRecord>();
  #lastId = 0;

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async insert(jobs: readonly NewJob[], options: InsertOptions = {}): Promise<string[]> {
    if (options.tx !== undefined) {
      throw new Error(
        "The memory backend cannot join a caller's transaction: call insert() without `tx`, or use a SQL backend.",
      );
    }
    // Check the whole batch before storing any of it: all or none.
    jobs.forEach((job, index) => assertStorable(job, index, jobs.length));
    return jobs.map((job) => {
      const id = String(++this.#lastId);
      this.#jobs.set(id, {
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
      });
      return id;
    });
  }

  async claim(request: ClaimRequest): Promise<JobRecord[]> {
    const { queues, tasks, now } = request;
    const due = [...this.#jobs.values()].filter(
      (job) =>
        (job.state === 'queued' || (job.state === 'scheduled' && job.runAt <= now)) &&
        tasks.includes(job.task) &&
        (queues === null || queues.includes(job.queue)),
    );
    due.sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || Number(a.id) - Number(b.id));
    return due.slice(0, Math.max(0, request.limit)).map((job) => {
      job.state = 'running';
      job.attempt += 1;
      job.startedAt = now;
      job.leaseToken = request.leaseToken;
      job.leaseUntil = request.leaseUntil;
      job.workerId = request.workerId;
      return { ...job };
    });
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
    return changes.map((change) => this.#apply(change));
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
    }
    return true;
  }

  async recordProgress(id: string, leaseToken: string, progress: string): Promise<boolean> {
    const job = this.#jobs.get(id);
    if (job?.state !== 'running' || job.leaseToken !== leaseToken) return false;
    job.progress = progress;
    return true;
  }

  async findExpired(request: { now: number; limit: number }): Promise<JobRecord[]> {
    return [...this.#jobs.values()]
      .filter((job) => job.state === 'running' && job.leaseUntil !== null && job.leaseUntil < request.now)
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
        deleted += 1;
      }
    }
    return deleted;
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
}

/** A new in-memory backend with nothing in it. */
export function memoryBackend(): Backend {
  return new MemoryBackend();
}

function copyWorker(worker: WorkerRecord): WorkerRecord {
  return { ...worker, queues: worker.queues === null ? null : [...worker.queues], tasks: [...worker.tasks] };
}

/**
 * Rejects what a SQL table's NOT NULL and CHECK constraints would, so code
 * tested against memory does not pass here and fail on a real database.
 */
function assertStorable(job: NewJob, index: number, count: number): void {
  const where = `insert: job ${index + 1} of ${count}`;
  for (const field of ['task', 'queue', 'payload'] as const) {
    if (typeof job[field] !== 'string') {
      throw new TypeError(`${where}: "${field}" must be a string (got ${describeValue(job[field])})`);
    }
  }
  for (const field of ['priority', 'maxAttempts', 'runAt', 'createdAt'] as const) {
    if (!Number.isFinite(job[field])) {
      throw new TypeError(`${where}: "${field}" must be a finite number (got ${describeValue(job[field])})`);
    }
  }
  if (job.state !== 'queued' && job.state !== 'scheduled') {
    throw new TypeError(
      `${where}: "state" must be "queued" or "scheduled" (got ${describeValue(job.state)})`,
    );
  }
}

function describeValue(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
