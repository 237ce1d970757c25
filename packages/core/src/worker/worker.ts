import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { announceJobs } from '../app/announce.ts';
import type { Runtime } from '../app/runtime.ts';
import type { TaskPolicy } from '../app/task.ts';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';
import { jobFromRecord, readAttemptErrors, type Job } from '../jobs/job.ts';
import type { Backend, JobRecord, JobTransition } from '../storage/backend.ts';
import {
  cancelBeforeStart,
  handBack,
  judgeAttempt,
  type AttemptOutcome,
  type Verdict,
} from './attempt-verdict.ts';
import { ClaimLane, planLanes } from './claim-lane.ts';
import { Maintenance } from './maintenance.ts';
import { runAttempt } from './run-attempt.ts';
import { RunningAttempt, type AttemptServices } from './running-attempt.ts';
import { TransitionBatcher } from './transition-batcher.ts';
import {
  checkQueueSelection,
  claimRound,
  planClaimGroups,
  queuesOf,
  type ClaimedJob,
  type ClaimGroup,
  type ClaimRoom,
  type QueueSelection,
} from './claim-groups.ts';
import { Scheduler } from '../schedules/scheduler.ts';
import { JobCancelledError } from '../jobs/task-errors.ts';

export interface WorkerOptions {
  /**
   * The queues it takes jobs from: a list sharing the worker's slots, or a
   * slot count per queue (`{ emails: 5, default: 10 }`). (Default: every queue)
   */
  queues?: string[] | Record<string, number>;
  /** Whether it fires the app's schedules (any number of workers may; each tick runs once). (Default: true) */
  schedules?: boolean;
  /** How many jobs run at once. (Default: 10) */
  concurrency?: number;
  /**
   * How many jobs the worker may claim ahead of a free slot and hold until
   * one frees. For streams of many short jobs: one claim then serves many
   * jobs, and the next claim is in flight while held jobs start. A held job
   * is this worker's as if it ran (state running, leased and heartbeated,
   * started_at at its claim), so other workers cannot take it: keep 0 where
   * jobs are long. Tasks with a rate or concurrency limit and queues with
   * their own slot count are never claimed ahead. (Default: 0)
   */
  prefetch?: number;
  /** How often an idle worker looks for jobs when nothing wakes it. (Default: `'200ms'`) */
  pollInterval?: Duration;
  /**
   * How long a claimed job stays this worker's without a heartbeat; the
   * heartbeat renews it every third of that. A worker that dies gives its
   * jobs back once it runs out. (Default: `'30s'`)
   */
  lease?: Duration;
  /** How often a running job's progress may be written. (Default: `'250ms'`) */
  progressInterval?: Duration;
  /** A name for logs and `errand stats`. (Default: hostname:pid:random) */
  id?: string;
}

export interface StopOptions {
  /** How long running jobs may take to finish before they are aborted and handed back. (Default: `'10s'`) */
  grace?: Duration;
}

/** Events about the jobs a worker runs. Listeners cost nothing when there are none. */
export interface WorkerEvents {
  started: [job: Job];
  succeeded: [job: Job, result: unknown];
  retrying: [job: Job, error: Error, retryAt: Date];
  failed: [job: Job, error: Error];
  cancelled: [job: Job];
}

/** What a drain() did. */
export interface DrainSummary {
  succeeded: number;
  retried: number;
  failed: number;
}

const MAX_BACKOFF_MS = 5_000;
/** How often a worker with running jobs asks the store whether any was cancelled from another process. */
const CANCEL_CHECK_MS = 500;

/** Claims jobs of the tasks this process implements and runs them, `concurrency` at a time. */
export class Worker extends EventEmitter<WorkerEvents> {
  readonly id: string;
  readonly #runtime: Runtime;
  readonly #queues: string[] | null;
  readonly #selection: QueueSelection;
  readonly #firesSchedules: boolean;
  #groups: ClaimGroup[] = [];
  #claimRounds = 0;
  #scheduler: Scheduler | undefined;
  #cancelCheck: NodeJS.Timeout | undefined;
  readonly #concurrency: number;
  readonly #prefetch: number;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #progressMs: number;
  readonly #running = new Map<string, RunningAttempt>();
  /** Attempts begun whose outcome is not yet written (or dropped): running ones and those being recorded. */
  #unsettled = 0;
  #settleWaiters: (() => void)[] = [];
  #services: AttemptServices | undefined;
  #lanes: ClaimLane[] = [];
  /** The primary lane's last claim came back full: the other lanes claim too. */
  #plentiful = false;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #backend: Backend | undefined;
  #batcher: TransitionBatcher | undefined;
  #maintenance: Maintenance | undefined;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #unsubscribers: (() => unknown)[] = [];
  #claimCount = 0;
  #startedAt = 0;

  constructor(runtime: Runtime, options: WorkerOptions = {}) {
    super();
    this.#runtime = runtime;
    this.#selection = checkQueueSelection(options.queues);
    this.#queues = queuesOf(this.#selection);
    this.#firesSchedules = options.schedules ?? true;
    const concurrency = options.concurrency ?? 10;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`worker concurrency must be a whole number >= 1 (got ${String(concurrency)})`);
    }
    this.#concurrency = concurrency;
    const prefetch = options.prefetch ?? 0;
    if (!Number.isInteger(prefetch) || prefetch < 0) {
      throw new TypeError(`worker prefetch must be a whole number >= 0 (got ${String(prefetch)})`);
    }
    this.#prefetch = prefetch;
    this.#pollMs = Math.max(1, toMilliseconds(options.pollInterval ?? '200ms', 'worker pollInterval'));
    this.#leaseMs = toMilliseconds(options.lease ?? '30s', 'worker lease');
    if (this.#leaseMs < 300)
      throw new TypeError(`worker lease must be at least 300 ms (got ${this.#leaseMs})`);
    this.#progressMs = toMilliseconds(options.progressInterval ?? '250ms', 'worker progressInterval');
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** Jobs running now. */
  get activeCount(): number {
    return this.#running.size;
  }

  /** Starts claiming. Resolves once the worker is registered and its loop runs. */
  async start(): Promise<void> {
    const { backend, tasks } = await this.#prepare();
    this.#startedAt = this.#runtime.clock.now();
    await this.#recordPresence();
    this.#unsubscribers.push(this.#runtime.bus.onJobsAdded((queues) => this.#onJobsAdded(queues)));
    if (backend.wakeups)
      this.#unsubscribers.push(await backend.wakeups.subscribe((queues) => this.#onJobsAdded(queues)));
    this.#heartbeat = setInterval(() => void this.#beat(), Math.max(100, Math.floor(this.#leaseMs / 3)));
    this.#maintenance = new Maintenance(this.#runtime, backend);
    this.#maintenance.start(Math.max(100, Math.min(this.#leaseMs / 2, 5_000)), 60_000);
    this.#unsubscribers.push(this.#runtime.bus.onCancelRequested((id) => this.#cancel(id)));
    this.#cancelCheck = setInterval(() => void this.#checkCancelled(), CANCEL_CHECK_MS);
    if (this.#firesSchedules) {
      this.#scheduler = new Scheduler(this.#runtime, backend);
      await this.#scheduler.declare();
      this.#scheduler.start();
    }
    this.#lanes = planLanes(this.#concurrency, backend.overlapClaims === true, this.#prefetch);
    this.#loop = Promise.all(this.#lanes.map((lane) => this.#claimLoop(backend, lane))).then(() => {});
    this.#runtime.logger.info(`worker ${this.id} started`, {
      tasks,
      queues: this.#queues ?? 'all',
      concurrency: this.#concurrency,
      backend: backend.kind,
    });
  }

  /**
   * Fires the schedule ticks due now, runs every job that is due now and any
   * that become due while it runs (a retry with no backoff), then resolves:
   * for tests and scripts. Jobs scheduled later stay scheduled; move a test
   * clock and drain again.
   */
  async drain(): Promise<DrainSummary> {
    const { backend } = await this.#prepare();
    if (this.#firesSchedules && this.#runtime.schedules.size > 0) {
      const scheduler = new Scheduler(this.#runtime, backend);
      await scheduler.declare();
      await scheduler.fireDue();
    }
    const summary: DrainSummary = { succeeded: 0, retried: 0, failed: 0 };
    const count = (verdict: keyof DrainSummary) => () => summary[verdict]++;
    const counters = {
      succeeded: count('succeeded'),
      retrying: count('retried'),
      failed: count('failed'),
    } as const;
    for (const [event, listener] of Object.entries(counters)) this.on(event as 'succeeded', listener);
    const lane = new ClaimLane(this.#concurrency, true);
    this.#lanes = [lane];
    try {
      for (;;) {
        const free = lane.free;
        if (free > 0) {
          const { claimed, more } = await this.#claim(backend, { free, ahead: 0 });
          lane.running += claimed.length;
          for (const { job, group } of claimed) this.#begin(job, group, lane);
          if (more) continue;
        }
        // Settling includes writing the outcome, so a retry due now is visible to the next claim.
        if (this.#unsettled === 0) break;
        await this.#nextSettlement();
      }
      await this.#batcher!.drain();
    } finally {
      for (const [event, listener] of Object.entries(counters)) this.off(event as 'succeeded', listener);
      this.#state = 'stopped';
    }
    return summary;
  }

  async #prepare(): Promise<{ backend: Backend; tasks: string[] }> {
    if (this.#state !== 'new') throw new Error(`worker ${this.id} was already started`);
    const tasks = [...this.#runtime.handlers.keys()];
    if (tasks.length === 0)
      throw new Error('this worker has no task to run: implement at least one task first');
    this.#state = 'running';
    const backend = await this.#runtime.storage();
    this.#backend = backend;
    this.#batcher = new TransitionBatcher(backend, Math.max(100, this.#concurrency));
    this.#services = { backend, logger: this.#runtime.logger, progressIntervalMs: this.#progressMs };
    this.#groups = planClaimGroups(this.#runtime, this.#selection, this.#concurrency);
    return { backend, tasks };
  }

  #claim(backend: Backend, room: ClaimRoom): Promise<{ claimed: ClaimedJob[]; more: boolean }> {
    const now = this.#runtime.clock.now();
    return claimRound(backend, this.#groups, this.#claimRounds++, room, {
      workerId: this.id,
      leaseToken: `${this.id}:${++this.#claimCount}`,
      leaseUntil: now + this.#leaseMs,
      now,
    });
  }

  /**
   * Stops claiming, lets running jobs finish within the grace period, then
   * aborts the rest through their signal and hands them back to the queue at
   * once (not after their lease). No job is left running.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#shutdown(toMilliseconds(options.grace ?? '10s', 'stop grace'));
    return this.#stopping;
  }

  async #claimLoop(backend: Backend, lane: ClaimLane): Promise<void> {
    let failures = 0;
    while (this.#state === 'running') {
      if (!lane.wantsClaim || !this.#mayClaim(lane)) {
        await lane.doorbell.wait(this.#pollMs);
        continue;
      }
      let round: { claimed: ClaimedJob[]; more: boolean };
      try {
        round = await this.#claim(backend, { free: lane.free, ahead: lane.aheadRoom });
        failures = 0;
      } catch (error) {
        failures++;
        const waitMs = Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures);
        this.#runtime.logger.warn(`claim failed; retrying in ${waitMs} ms`, { error });
        await sleep(waitMs);
        continue;
      }
      if (this.#state !== 'running') {
        // Stopped while claiming: give these back rather than start them.
        await this.#handBackAll(round.claimed.map(({ job }) => job));
        return;
      }
      for (const claimed of round.claimed) lane.held.push(claimed);
      this.#startHeld(lane);
      if (lane.primary) {
        this.#plentiful = round.more;
        if (round.more) for (const other of this.#lanes) if (other !== lane) other.doorbell.ring();
      }
      if (!round.more) await lane.doorbell.wait(this.#pollMs);
    }
  }

  /** Starts held jobs, oldest first, while the lane has free slots. */
  #startHeld(lane: ClaimLane): void {
    // A job that settles at once frees its slot inside #begin; the loop below starts the next one.
    if (lane.starting) return;
    lane.starting = true;
    try {
      while (lane.free > 0 && lane.held.length > 0 && this.#state === 'running') {
        const { job, group } = lane.held.shift()!;
        lane.running++;
        this.#begin(job, group, lane);
      }
    } finally {
      lane.starting = false;
    }
  }

  #unhold(id: string): ClaimedJob | undefined {
    for (const lane of this.#lanes) {
      const claimed = lane.unhold(id);
      if (claimed) return claimed;
    }
    return undefined;
  }

  #heldJobs(): JobRecord[] {
    return this.#lanes.flatMap((lane) => lane.held.map(({ job }) => job));
  }

  /** The primary lane always; the others while jobs are plentiful or the primary lane has no slot free. */
  #mayClaim(lane: ClaimLane): boolean {
    return lane.primary || this.#plentiful || this.#lanes[0]!.free <= 0;
  }

  #begin(job: JobRecord, group: ClaimGroup, lane: ClaimLane): void {
    const policy = this.#runtime.policies.get(job.task)!;
    const handler = this.#runtime.handlers.get(job.task)!;
    const attempt = new RunningAttempt(job, group, lane, this.#services!);
    this.#running.set(job.id, attempt);
    this.#unsettled++;
    if (this.listenerCount('started') > 0) this.emit('started', jobFromRecord(job));
    const outcome = runAttempt(attempt, policy, handler);
    if (outcome instanceof Promise) void outcome.then((settled) => this.#finish(attempt, policy, settled));
    else this.#finish(attempt, policy, outcome);
  }

  #finish(attempt: RunningAttempt, policy: TaskPolicy, outcome: AttemptOutcome): void {
    attempt.flushProgress();
    if (attempt.released) {
      this.#settle();
      return;
    }
    const job = attempt.record;
    this.#forget(attempt);
    const now = this.#runtime.clock.now();
    const verdict = judgeAttempt(
      job,
      outcome,
      policy,
      now,
      this.#runtime.maxPayloadBytes,
      attempt.cancelRequested,
    );
    this.#batcher!.apply(verdict.transition, (applied, error) => {
      try {
        this.#recorded(job, verdict, outcome, now, applied, error);
      } finally {
        this.#settle();
      }
    });
  }

  #recorded(
    job: JobRecord,
    verdict: Verdict,
    outcome: AttemptOutcome,
    now: number,
    applied: boolean,
    error: unknown,
  ): void {
    if (error !== undefined) {
      // The job stays running until its lease runs out, then runs again: at least once, never lost.
      this.#runtime.logger.error(
        `could not record the outcome of job ${job.id}; it will run again after its lease`,
        { error },
      );
      return;
    }
    if (!applied) {
      this.#runtime.logger.warn(
        `late outcome of job ${job.id} rejected: this worker no longer holds its lease`,
        { task: job.task, attempt: job.attempt },
      );
      return;
    }
    if (verdict.state !== 'scheduled') this.#runtime.bus.jobSettled(job.id);
    else this.#ringAt(verdict.retryAt - now);
    this.#emitVerdict(job, verdict, outcome);
  }

  #settle(): void {
    this.#unsettled--;
    const waiters = this.#settleWaiters;
    if (waiters.length === 0) return;
    this.#settleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when the next attempt settles. */
  #nextSettlement(): Promise<void> {
    return new Promise((resolve) => this.#settleWaiters.push(resolve));
  }

  async #allSettled(): Promise<void> {
    while (this.#unsettled > 0) await this.#nextSettlement();
  }

  #emitVerdict(job: JobRecord, verdict: Verdict, outcome: AttemptOutcome): void {
    if (this.listenerCount(verdict.state === 'scheduled' ? 'retrying' : verdict.state) === 0) return;
    const after = jobAfter(job, verdict.transition, {
      input: outcome.input,
      result: outcome.kind === 'succeeded' ? outcome.value : undefined,
    });
    if (verdict.state === 'succeeded') this.emit('succeeded', after, after.result);
    else if (verdict.state === 'cancelled') this.emit('cancelled', after);
    else if (verdict.state === 'scheduled')
      this.emit('retrying', after, verdict.error, new Date(verdict.retryAt));
    else this.emit('failed', after, verdict.error);
  }

  /** A retry due sooner than the next poll: wake for it rather than make it wait for the poll. */
  #ringAt(delayMs: number): void {
    if (delayMs >= this.#pollMs || this.#state !== 'running') return;
    setTimeout(() => this.#ringAll(), Math.max(0, delayMs)).unref();
  }

  #onJobsAdded(queues: readonly string[]): void {
    // An empty list comes from a backend that cannot tell which queues changed: any may have.
    if (
      this.#queues === null ||
      queues.length === 0 ||
      queues.some((queue) => this.#queues!.includes(queue))
    ) {
      this.#ringAll();
    }
  }

  #ringAll(): void {
    for (const lane of this.#lanes) lane.doorbell.ring();
  }

  async #beat(): Promise<void> {
    const backend = this.#backend!;
    try {
      const entries = [...this.#running.values()];
      const waiting = this.#heldJobs();
      if (entries.length + waiting.length > 0) {
        const leases = [...entries.map(({ record }) => record), ...waiting].map((job) => ({
          id: job.id,
          leaseToken: job.leaseToken!,
        }));
        const kept = new Set(await backend.renewLeases(leases, this.#runtime.clock.now() + this.#leaseMs));
        for (const entry of entries) if (!kept.has(entry.jobId)) this.#release(entry, 'lease lost');
        for (const job of waiting) {
          if (kept.has(job.id) || !this.#unhold(job.id)) continue;
          this.#runtime.logger.warn(`held job ${job.id} lost its lease; it will not start here`, {
            task: job.task,
          });
        }
      }
      await this.#recordPresence();
      await this.#scheduler?.declare();
    } catch (error) {
      this.#runtime.logger.warn('heartbeat failed; will try again', { error });
    }
  }

  #release(entry: RunningAttempt, reason: string): void {
    if (entry.released || this.#running.get(entry.jobId) !== entry) return;
    entry.released = true;
    this.#forget(entry);
    entry.abort(new Error(`job ${entry.jobId} ${reason}`));
    this.#runtime.logger.warn(`job ${entry.jobId} ${reason}; its outcome will not be recorded`, {
      task: entry.task,
    });
  }

  /** Frees the job's slot, in the worker and in its claim group. */
  #forget(entry: RunningAttempt): void {
    if (this.#running.get(entry.jobId) !== entry) return;
    this.#running.delete(entry.jobId);
    entry.group.running--;
    entry.lane.running--;
    entry.lane.doorbell.ring();
    this.#startHeld(entry.lane);
  }

  /** Aborts a running job someone cancelled; it ends cancelled if the handler gives up. */
  #cancel(id: string): void {
    const held = this.#unhold(id);
    if (held) {
      this.#cancelHeld(held.job);
      return;
    }
    const entry = this.#running.get(id);
    if (!entry || entry.cancelRequested) return;
    entry.cancelRequested = true;
    entry.abort(new JobCancelledError(id));
  }

  /** A held job someone cancelled never started: it ends cancelled, its attempt not counted. */
  #cancelHeld(job: JobRecord): void {
    const transition = cancelBeforeStart(job, this.#runtime.clock.now());
    this.#unsettled++;
    this.#batcher!.apply(transition, (applied, error) => {
      try {
        if (error !== undefined || !applied) {
          this.#runtime.logger.warn(`could not record the cancellation of held job ${job.id}`, {
            ...(error !== undefined && { error }),
          });
          return;
        }
        this.#runtime.bus.jobSettled(job.id);
        if (this.listenerCount('cancelled') > 0) this.emit('cancelled', jobAfter(job, transition));
      } finally {
        this.#settle();
      }
    });
  }

  async #checkCancelled(): Promise<void> {
    const ids = [...this.#running.values()]
      .filter((entry) => !entry.cancelRequested)
      .map((entry) => entry.jobId)
      .concat(this.#heldJobs().map((job) => job.id));
    if (ids.length === 0) return;
    try {
      for (const id of await this.#backend!.cancelRequested(ids)) this.#cancel(id);
    } catch (error) {
      this.#runtime.logger.warn('could not check for cancelled jobs; will try again', { error });
    }
  }

  #recordPresence(): Promise<void> {
    return this.#backend!.recordWorker({
      id: this.id,
      hostname: hostname(),
      pid: process.pid,
      queues: this.#queues,
      tasks: [...this.#runtime.handlers.keys()],
      concurrency: this.#concurrency,
      startedAt: this.#startedAt,
      heartbeatAt: this.#runtime.clock.now(),
    });
  }

  async #shutdown(graceMs: number): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#ringAll();
    await this.#loop;
    await this.#handBackAll(this.#lanes.flatMap((lane) => lane.unholdAll().map(({ job }) => job)));
    const stillRunning = () => [...this.#running.values()];
    const allSettled = this.#allSettled();
    const graceTimer = new AbortController();
    const graceOver = sleep(graceMs, 'grace over' as const, { signal: graceTimer.signal }).catch(
      () => 'settled' as const,
    );
    const first = await Promise.race([allSettled, graceOver]);
    graceTimer.abort(); // a pending grace timer would keep the process alive for the whole grace
    if (first === 'grace over') {
      const late = stillRunning();
      this.#runtime.logger.warn(
        `handing back ${late.length} job(s) still running after the ${graceMs} ms grace`,
      );
      for (const entry of late) {
        entry.released = true;
        this.#forget(entry);
        entry.abort(new Error('worker shutting down'));
      }
      await this.#handBackAll(late.map((entry) => entry.record));
    }
    await this.#batcher!.drain();
    clearInterval(this.#heartbeat);
    clearInterval(this.#cancelCheck);
    this.#maintenance!.stop();
    await this.#scheduler?.stop();
    for (const unsubscribe of this.#unsubscribers) await unsubscribe();
    await this.#backend!.removeWorker(this.id).catch(() => undefined);
    this.#state = 'stopped';
    this.#runtime.logger.info(`worker ${this.id} stopped`);
  }

  async #handBackAll(jobs: JobRecord[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.#runtime.clock.now();
    await this.#backend!.transition(jobs.map((job) => handBack(job, now)));
    announceJobs(this.#runtime, this.#backend!, [...new Set(jobs.map((job) => job.queue))]);
  }
}

/** The job as it is after a transition was written, for the worker's events (input and result when already decoded). */
function jobAfter(
  job: JobRecord,
  transition: JobTransition,
  known: { input?: unknown; result?: unknown } = {},
): Job {
  const after = jobFromRecord(job, known);
  after.state = transition.to;
  after.workerId = null;
  after.cancelRequested = false;
  if (transition.attempt !== undefined) after.attempt = transition.attempt;
  if (transition.runAt !== undefined) after.runAt = new Date(transition.runAt);
  if (transition.startedAt !== undefined)
    after.startedAt = transition.startedAt === null ? null : new Date(transition.startedAt);
  if (transition.finishedAt != null) after.finishedAt = new Date(transition.finishedAt);
  if (transition.errors !== undefined) after.errors = readAttemptErrors(transition.errors);
  return after;
}
