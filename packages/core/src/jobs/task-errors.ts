import { toMilliseconds, type Duration } from './duration.ts';

/** Thrown by a handler: the job fails at once, whatever attempts remain. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
}

/** Thrown by a handler: this attempt failed; retry after `delay` instead of the task's backoff. */
export class RetryAfterError extends Error {
  override name = 'RetryAfterError';
  readonly delayMs: number;

  constructor(delay: Duration, message = `retry after ${String(delay)}`) {
    super(message);
    this.delayMs = toMilliseconds(delay, 'RetryAfterError delay');
  }
}

/** The attempt ran past its task's timeout. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/** `handle.result()` rejects with this when the job failed for good. */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
  constructor(
    readonly jobId: string,
    readonly attempts: readonly AttemptError[],
  ) {
    const last = attempts.at(-1);
    super(`job ${jobId} failed${last ? `: ${last.message}` : ''}`);
  }
}

/** `handle.result()` rejects with this when the job was cancelled. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError';
  constructor(readonly jobId: string) {
    super(`job ${jobId} was cancelled`);
  }
}

/** `handle.result({ timeout })` rejects with this when the job is not finished in time. */
export class ResultTimeoutError extends Error {
  override name = 'ResultTimeoutError';
  constructor(
    readonly jobId: string,
    timeoutMs: number,
  ) {
    super(`job ${jobId} did not finish within ${timeoutMs} ms`);
  }
}

/** What errand keeps of each failed attempt. */
export interface AttemptError {
  attempt: number;
  /** Epoch ms. */
  at: number;
  name: string;
  message: string;
  stack?: string;
}

/** Any thrown value as an Error: a handler may throw a string, an object, undefined. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  let text: string;
  try {
    text = typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown));
  } catch {
    text = String(thrown);
  }
  return new Error(`non-Error thrown: ${text}`);
}
