import type { StandardSchemaV1 } from '@standard-schema/spec';
import { backoffPolicy, DEFAULT_BACKOFF, type Backoff, type BackoffPolicy } from '../jobs/backoff.ts';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';
import type { UniqueScope } from './enqueue.ts';
import type { JobHandle } from './job-handle.ts';

/** What a handler gets besides its input. */
export interface JobContext {
  readonly jobId: string;
  readonly task: string;
  readonly queue: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted on timeout, when the job is cancelled, on shutdown past the grace period, or when the lease is lost. */
  readonly signal: AbortSignal;
  /**
   * Stores a progress report (a number or small JSON value) that `handle.status()` shows.
   * A function property, so `({ progress }) => ...` works.
   */
  readonly progress: (value: unknown) => Promise<void>;
  readonly logger: Logger;
}

export type Handler<Input, Output> = (input: Input, context: JobContext) => Output | PromiseLike<Output>;

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
  /** At most `max` of its jobs start per period, across every worker and machine. (Default: no limit) */
  rateLimit?: { max: number; per: Duration };
  /**
   * At most this many of its jobs run at once across every worker and machine;
   * with `key`, at most `max` per key (e.g. one export per customer). (Default: no limit)
   */
  concurrencyLimit?: number | { max: number; key: (input: Input) => string };
  /**
   * false: a job is deleted as it succeeds, in the write that would have marked it succeeded, for
   * many small jobs whose outcome nobody reads. Its `succeeded` event still fires (with the output),
   * but the store keeps no record: `handle.result()` and the dashboard cannot see it, and its
   * unique key is free at once. Failed and cancelled jobs are kept as usual. (Default: true)
   */
  keepSucceeded?: boolean;
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
  /**
   * Makes the job unique: while another job of this task with the same key
   * holds it (see `unique`), enqueue returns that job's handle instead of
   * adding one (`handle.deduplicated` is then true).
   */
  key?: string;
  /** How long the key is held: `'queued'`, `'active'` (queued or running) or `{ for: '1h' }`. (Default: `'active'`) */
  unique?: UniqueScope;
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
  readonly rateLimit: { max: number; periodMs: number } | null;
  /** `keyOf` gives the stored concurrencyKey of a job from its input. */
  readonly concurrencyLimit: { max: number; keyOf(input: unknown): string } | null;
  readonly keepSucceeded: boolean;
}

const TASK_NAME_PATTERN = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

export function resolveTaskPolicy<Input>(name: string, options: TaskOptions<Input> = {}): TaskPolicy {
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
  const keepSucceeded = options.keepSucceeded ?? true;
  if (typeof keepSucceeded !== 'boolean') {
    throw new TypeError(
      `${label} keepSucceeded must be true or false (got ${JSON.stringify(keepSucceeded)})`,
    );
  }
  return {
    name,
    queue,
    priority,
    maxAttempts: retries + 1,
    backoff: backoffPolicy(options.backoff ?? DEFAULT_BACKOFF, `${label} backoff`),
    retryIf: options.retryIf ?? (() => true),
    timeoutMs: options.timeout === undefined ? null : toMilliseconds(options.timeout, `${label} timeout`),
    input: (options.input as StandardSchemaV1<unknown, unknown> | undefined) ?? null,
    rateLimit:
      options.rateLimit === undefined ? null : checkRateLimit(options.rateLimit, `${label} rateLimit`),
    concurrencyLimit: resolveConcurrencyLimit(
      name,
      options.concurrencyLimit as TaskOptions<unknown>['concurrencyLimit'],
      `${label} concurrencyLimit`,
    ),
    keepSucceeded,
  };
}

export function checkRateLimit(
  limit: { max: number; per: Duration },
  label: string,
): { max: number; periodMs: number } {
  if (!Number.isInteger(limit?.max) || limit.max < 1) {
    throw new TypeError(`${label}.max must be a whole number >= 1, as in { max: 10, per: '1s' }`);
  }
  const periodMs = toMilliseconds(limit.per, `${label}.per`);
  if (periodMs < 1) throw new TypeError(`${label}.per must be longer than 0`);
  return { max: limit.max, periodMs };
}

function resolveConcurrencyLimit(
  task: string,
  limit: TaskOptions<unknown>['concurrencyLimit'],
  label: string,
): TaskPolicy['concurrencyLimit'] {
  if (limit === undefined) return null;
  const max = typeof limit === 'number' ? limit : limit?.max;
  if (!Number.isInteger(max) || max < 1) {
    throw new TypeError(`${label} must be a whole number >= 1, or { max, key: (input) => string }`);
  }
  if (typeof limit === 'number') return { max: limit, keyOf: () => task };
  if (typeof limit.key !== 'function') throw new TypeError(`${label}.key must be a function of the input`);
  const keyOf = limit.key;
  return {
    max: max,
    keyOf: (input) => {
      const key = keyOf(input);
      if (typeof key !== 'string') {
        throw new TypeError(`${label}.key must return a string (got ${typeof key})`);
      }
      return `${task}:${key}`;
    },
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
