import type { StandardSchemaV1 } from '@standard-schema/spec';
import { backoffPolicy, DEFAULT_BACKOFF, type Backoff, type BackoffPolicy } from '../jobs/backoff.ts';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';
import type { JobHandle } from './job-handle.ts';

/** What a handler gets besides its input. */
export interface JobContext {
  readonly jobId: string;
  readonly task: string;
  readonly queue: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted on timeout, on shutdown past the grace period, or when the lease is lost. */
  readonly signal: AbortSignal;
  /** Stores a progress report (a number or small JSON value) that `handle.status()` shows. */
  progress(value: unknown): Promise<void>;
  readonly logger: Logger;
}

export type Handler<Input, Output> = (input: Input, context: JobContext) => Output | Promise<Output>;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A task's options. They travel with its declaration, so an enqueuing process and a worker agree on them. */
export interface TaskOptions<Input = unknown> {
  /** The queue its jobs go to. (Default: `'default'`) */
  queue?: string;
  /** Lower runs first; any integer. (Default: 0) */
  priority?: number;
  /** Retries after the first attempt fails; `retries: 3` allows 4 attempts in all. (Default: 3) */
  retries?: number;
  /** The wait before each retry. (Default: exponential from 1 s, doubling, capped at 1 h, ±20 % jitter) */
  backoff?: Backoff;
  /** Return false for an error not worth retrying. (Default: retry everything but NonRetryableError) */
  retryIf?: (error: Error, attempt: number) => boolean;
  /** An attempt running longer fails with JobTimeoutError and its signal is aborted. (Default: none) */
  timeout?: Duration;
  /** A Standard Schema validator (zod, valibot, arktype...) checked at enqueue and before the handler runs. */
  input?: StandardSchemaV1<unknown, Input>;
}

export interface EnqueueOptions {
  /** Run no sooner than this long from now. */
  delay?: Duration;
  /** Run no sooner than this time (a Date or epoch ms). Overrides `delay`. */
  runAt?: Date | number;
  /** Overrides the task's priority for this job. */
  priority?: number;
  /** Overrides the task's queue for this job. */
  queue?: string;
  /** The caller's open transaction, in the backend's terms (see the backend's docs). */
  tx?: unknown;
}

/** A task as the enqueuing side sees it: typed, with or without its handler loaded. */
export interface Task<Input = unknown, Output = unknown> {
  readonly name: string;
  enqueue(input: Input, options?: EnqueueOptions): Promise<JobHandle<Output>>;
  /** Writes all jobs in one transaction: all are enqueued, or none. */
  enqueueMany(inputs: readonly Input[], options?: EnqueueOptions): Promise<JobHandle<Output>[]>;
}

/** A task's options checked and turned into what the core uses. */
export interface TaskPolicy {
  readonly name: string;
  readonly queue: string;
  readonly priority: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly retryIf: (error: Error, attempt: number) => boolean;
  readonly timeoutMs: number | null;
  readonly input: StandardSchemaV1<unknown, unknown> | null;
}

const TASK_NAME_PATTERN = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

export function resolveTaskPolicy(name: string, options: TaskOptions<unknown> = {}): TaskPolicy {
  if (typeof name !== 'string' || !TASK_NAME_PATTERN.test(name)) {
    throw new TypeError(
      `task name ${JSON.stringify(name)} must be 1-128 characters of letters, digits and . _ : / -, starting with a letter or digit`,
    );
  }
  const label = `task "${name}"`;
  const queue = options.queue ?? 'default';
  checkQueueName(queue, `${label} queue`);
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError(`${label} retries must be a whole number >= 0 (got ${String(retries)})`);
  }
  const priority = checkPriority(options.priority ?? 0, `${label} priority`);
  if (options.input !== undefined && typeof options.input?.['~standard']?.validate !== 'function') {
    throw new TypeError(`${label} input must be a Standard Schema validator (zod, valibot, arktype, ...)`);
  }
  return {
    name,
    queue,
    priority,
    maxAttempts: retries + 1,
    backoff: backoffPolicy(options.backoff ?? DEFAULT_BACKOFF, `${label} backoff`),
    retryIf: options.retryIf ?? (() => true),
    timeoutMs: options.timeout === undefined ? null : toMilliseconds(options.timeout, `${label} timeout`),
    input: options.input ?? null,
  };
}

export function checkQueueName(queue: unknown, label: string): string {
  if (typeof queue !== 'string' || !TASK_NAME_PATTERN.test(queue)) {
    throw new TypeError(
      `${label} must be 1-128 characters of letters, digits and . _ : / - (got ${JSON.stringify(queue)})`,
    );
  }
  return queue;
}

export function checkPriority(priority: unknown, label: string): number {
  if (!Number.isSafeInteger(priority))
    throw new TypeError(`${label} must be an integer (got ${String(priority)})`);
  return priority as number;
}
