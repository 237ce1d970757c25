import { systemClock, type Clock } from '../clock.ts';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';
import { jobFromRecord, type Job } from '../jobs/job.ts';
import type { JobState } from '../jobs/states.ts';
import type { Backend, StateCount } from '../storage/backend.ts';
import { backendFromUrl, DEFAULT_URL } from '../storage/backend-url.ts';
import { Worker, type DrainSummary, type WorkerOptions } from '../worker/worker.ts';
import { consoleLogger } from './console-logger.ts';
import { enqueueJobs } from './enqueue.ts';
import { cancelJob, deleteJob, retryFailed, retryJob } from './job-admin.ts';
import {
  liveWorkers,
  throughput,
  type Throughput,
  type ThroughputOptions,
  type WorkerInfo,
} from './insights.ts';
import { JobHandle } from './job-handle.ts';
import { LocalBus } from './local-bus.ts';
import type { Runtime } from './runtime.ts';
import { encodeJson } from '../jobs/json-payload.ts';
import { tickSource, type ScheduleTiming } from '../schedules/schedule-spec.ts';
import { scheduleFromRecord, type Schedule } from '../schedules/schedule-view.ts';
import { announceJobs } from './announce.ts';
import {
  checkQueueName,
  checkRateLimit,
  resolveTaskPolicy,
  type Handler,
  type Logger,
  type Task,
  type TaskOptions,
  type TaskPolicy,
} from './task.ts';

export interface ErrandOptions {
  /**
   * Where jobs live: a Backend, or a URL (`sqlite:./jobs.db`, `memory:`,
   * `postgres://…`, `redis://…`). (Default: the ERRAND_URL environment
   * variable, else `sqlite:./errand.db`)
   */
  backend?: Backend | string;
  /** Where the core reads the time; tests pass one they move by hand. (Default: the system clock) */
  clock?: Clock;
  /** (Default: lines on stderr from `info` up) */
  logger?: Logger;
  /** The largest input or result, as JSON bytes. (Default: 1 MiB) */
  maxPayloadBytes?: number;
  /** How long succeeded, failed and cancelled jobs are kept before workers prune them. (Default: `'7d'`) */
  retention?: Duration;
}

/** An app's queue: declares tasks, enqueues them, runs workers, and looks jobs up. */
export class Errand {
  readonly #runtime: Runtime;
  #backend: Promise<Backend> | undefined;
  readonly #backendSource: Backend | string;

  constructor(options: ErrandOptions = {}) {
    const maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
    if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
      throw new TypeError(
        `maxPayloadBytes must be a whole number of bytes >= 1 (got ${String(maxPayloadBytes)})`,
      );
    }
    this.#backendSource = options.backend ?? process.env.ERRAND_URL ?? DEFAULT_URL;
    this.#runtime = {
      storage: () => this.storage(),
      clock: options.clock ?? systemClock,
      logger: options.logger ?? consoleLogger(),
      bus: new LocalBus(),
      maxPayloadBytes,
      retentionMs: toMilliseconds(options.retention ?? '7d', 'retention'),
      policies: new Map(),
      handlers: new Map(),
      schedules: new Map(),
      queueRateLimits: new Map(),
    };
  }

  /** Declares a task and its handler in one go. */
  task<Input, Output>(
    name: string,
    handler: Handler<Input, Output>,
    options?: TaskOptions<Input>,
  ): Task<Input, Awaited<Output>> {
    const task = this.declare<Input, Awaited<Output>>(name, options);
    this.implement(task, handler);
    return task;
  }

  /**
   * Declares a task without its handler, so a web server can enqueue it
   * without loading the handler's code and imports; a worker process then
   * calls implement() with the same declaration.
   */
  declare<Input, Output = unknown>(name: string, options?: TaskOptions<Input>): Task<Input, Output> {
    if (this.#runtime.policies.has(name)) throw new Error(`task "${name}" is declared twice`);
    const policy = resolveTaskPolicy(name, options);
    this.#runtime.policies.set(name, policy);
    return taskFor<Input, Output>(this.#runtime, policy);
  }

  /** Gives a declared task its handler, so this process's workers can run it. */
  implement<Input, Output>(
    task: Task<Input, Output>,
    handler: Handler<Input, Output | Promise<Output>>,
  ): void {
    if (!this.#runtime.policies.has(task.name)) {
      throw new Error(
        `task "${task.name}" was declared by another app; implement it on the app that declared it`,
      );
    }
    if (typeof handler !== 'function') throw new TypeError(`task "${task.name}" handler must be a function`);
    if (this.#runtime.handlers.has(task.name)) throw new Error(`task "${task.name}" has two handlers`);
    this.#runtime.handlers.set(task.name, handler as Handler<unknown, unknown>);
  }

  /**
   * Enqueues `task` on a schedule: a cron expression (5 or 6 fields, in a time
   * zone) or an interval. Every worker fires the app's schedules; each tick is
   * claimed in the store, so it runs exactly once however many workers run.
   * Missed ticks (no worker was up) are skipped unless `catchUp` says how many
   * of the newest to run late. (Default catchUp: 0)
   */
  schedule<Input>(
    name: string,
    timing: ScheduleTiming,
    task: Task<Input, unknown>,
    input?: Input,
    options: { catchUp?: number } = {},
  ): void {
    const label = `schedule "${name}"`;
    if (this.#runtime.schedules.has(name)) throw new Error(`${label} is declared twice`);
    checkQueueName(name, 'schedule name'); // the same naming rules as queues
    const policy = this.#runtime.policies.get(task.name);
    if (!policy) throw new Error(`${label}: task "${task.name}" was declared by another app`);
    const catchUp = options.catchUp ?? 0;
    if (!Number.isInteger(catchUp) || catchUp < 0) {
      throw new TypeError(`${label} catchUp must be a whole number >= 0 (got ${String(catchUp)})`);
    }
    encodeJson(input ?? null, `${label} input`, { maxBytes: this.#runtime.maxPayloadBytes });
    const source = tickSource(timing, label);
    const declaredAt = this.#runtime.clock.now();
    this.#runtime.schedules.set(name, { name, policy, source, input: input ?? null, catchUp, declaredAt });
  }

  /** Sets a start-rate limit on a queue, across every worker and machine. */
  queue(name: string, settings: { rateLimit: { max: number; per: Duration } }): void {
    const queue = checkQueueName(name, 'queue');
    this.#runtime.queueRateLimits.set(
      queue,
      checkRateLimit(settings.rateLimit, `queue "${queue}" rateLimit`),
    );
  }

  /** Workers stop claiming from the queue; its jobs stay until it is resumed. */
  async pauseQueue(queue: string): Promise<void> {
    await (await this.storage()).setQueuePaused(checkQueueName(queue, 'queue'), true);
  }

  async resumeQueue(queue: string): Promise<void> {
    const backend = await this.storage();
    await backend.setQueuePaused(checkQueueName(queue, 'queue'), false);
    announceJobs(this.#runtime, backend, [queue]);
  }

  async pausedQueues(): Promise<string[]> {
    return (await this.storage()).pausedQueues();
  }

  /** Every schedule the store knows, with its last and next run. */
  async schedules(): Promise<Schedule[]> {
    const now = this.#runtime.clock.now();
    return (await (await this.storage()).listSchedules()).map((record) => scheduleFromRecord(record, now));
  }

  /** Pauses a schedule: its ticks are skipped until it is resumed. False if there is no such schedule. */
  async pauseSchedule(name: string): Promise<boolean> {
    return (await this.storage()).setSchedulePaused(name, true);
  }

  async resumeSchedule(name: string): Promise<boolean> {
    return (await this.storage()).setSchedulePaused(name, false);
  }

  /** The task declared under `name`, for enqueuing by name (the CLI does). */
  taskNamed(name: string): Task | undefined {
    const policy = this.#runtime.policies.get(name);
    return policy ? taskFor(this.#runtime, policy) : undefined;
  }

  /** Names of every task declared in this process. */
  taskNames(): string[] {
    return [...this.#runtime.policies.keys()];
  }

  /** A handle on any job by id. */
  job<Output = unknown>(id: string): JobHandle<Output> {
    return new JobHandle<Output>(id, this.#runtime);
  }

  /** Jobs newest first, filtered; pass the previous page's `next` as `before` for the next page. */
  async jobs(
    filter: { state?: JobState; task?: string; queue?: string; before?: string; limit?: number } = {},
  ): Promise<{ jobs: Job[]; next: string | null }> {
    const page = await (await this.storage()).list({ ...filter, limit: filter.limit ?? 50 });
    return { jobs: page.jobs.map((record) => jobFromRecord(record)), next: page.next };
  }

  /** Counts of jobs by queue, task and state. */
  async stats(): Promise<StateCount[]> {
    return (await this.storage()).stats();
  }

  /** Cancels a job that has not started; true if it did. */
  cancel(id: string): Promise<boolean> {
    return cancelJob(this.#runtime, id);
  }

  /** Runs a failed or cancelled job again; true if it did. */
  retry(id: string): Promise<boolean> {
    return retryJob(this.#runtime, id);
  }

  /**
   * Deletes a job that is not running, with its input, result and errors; true if it did. A running
   * job is refused (false): its worker still holds it, so cancel it first.
   */
  deleteJob(id: string): Promise<boolean> {
    return deleteJob(this.#runtime, id);
  }

  /** Runs every failed job of a task again (of one queue, when given); returns how many. */
  retryFailed(filter: { task: string; queue?: string }): Promise<number> {
    return retryFailed(this.#runtime, filter);
  }

  /** Jobs finished per queue, outcome and minute over the last hour (or the window and bucket given). */
  throughput(options?: ThroughputOptions): Promise<Throughput> {
    return throughput(this.#runtime, options);
  }

  /** Workers alive (a heartbeat in the last minute), with what they run. */
  workers(): Promise<WorkerInfo[]> {
    return liveWorkers(this.#runtime);
  }

  /** A worker that runs this process's implemented tasks. Call start() on it. */
  worker(options?: WorkerOptions): Worker {
    return new Worker(this.#runtime, options);
  }

  /**
   * Runs every job due now in this process and resolves when none is left:
   * for tests and scripts. See Worker.drain().
   */
  drain(options?: WorkerOptions): Promise<DrainSummary> {
    return this.worker(options).drain();
  }

  /** The backend, ready for use. */
  storage(): Promise<Backend> {
    this.#backend ??= this.#openBackend();
    return this.#backend;
  }

  /** Closes the backend's connections. Stop workers first. */
  async close(): Promise<void> {
    if (this.#backend) await (await this.#backend).close();
  }

  get clock(): Clock {
    return this.#runtime.clock;
  }

  get logger(): Logger {
    return this.#runtime.logger;
  }

  async #openBackend(): Promise<Backend> {
    const source = this.#backendSource;
    const backend = typeof source === 'string' ? await backendFromUrl(source) : source;
    await backend.init();
    return backend;
  }
}

function taskFor<Input, Output>(runtime: Runtime, policy: TaskPolicy): Task<Input, Output> {
  return {
    name: policy.name,
    enqueue: async (input, options) => (await enqueueJobs<Output>(runtime, policy, [input], options))[0]!,
    enqueueMany: (inputs, options) => enqueueJobs<Output>(runtime, policy, inputs, options),
  };
}

/** Creates an app. See ErrandOptions for the settings and their defaults. */
export function createErrand(options?: ErrandOptions): Errand {
  return new Errand(options);
}
