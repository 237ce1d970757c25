import type { TaskPolicy } from '../app/task.ts';
import { encodeJson } from '../jobs/json-payload.ts';
import { readAttemptErrors } from '../jobs/job.ts';
import { NonRetryableError, RetryAfterError, type AttemptError } from '../jobs/task-errors.ts';
import type { JobRecord, JobTransition } from '../storage/backend.ts';

/**
 * The retry policy, in one place: what becomes of a job after an attempt
 * (or after its worker vanished). It only builds the compare-and-set that a
 * backend applies, conditional on the attempt's lease.
 */

/** How an attempt ended, as the worker saw it. */
export type AttemptOutcome = ({ kind: 'succeeded'; value: unknown } | { kind: 'failed'; error: Error }) & {
  /** The stored input as decoded, when it could be (saves decoding it again for events). */
  input?: unknown;
};

export type Verdict =
  | { state: 'succeeded'; transition: JobTransition }
  | { state: 'scheduled'; transition: JobTransition; error: Error; retryAt: number }
  | { state: 'failed'; transition: JobTransition; error: Error }
  | { state: 'cancelled'; transition: JobTransition; error: Error };

/** How many attempt errors a job keeps; older ones are dropped first. */
const KEPT_ERRORS = 20;
const KEPT_STACK_CHARS = 4_000;

export function judgeAttempt(
  job: JobRecord,
  outcome: AttemptOutcome,
  policy: TaskPolicy,
  now: number,
  maxPayloadBytes: number,
  /** Someone asked to cancel the job while it ran: if the attempt gave up, it ends cancelled. */
  cancelRequested = false,
): Verdict {
  const lease = { id: job.id, from: ['running'] as const, leaseToken: job.leaseToken ?? '' };
  if (outcome.kind === 'succeeded') {
    let result: string;
    try {
      result = encodeJson(outcome.value, `Task "${job.task}" result`, { maxBytes: maxPayloadBytes });
    } catch (error) {
      return judgeAttempt(
        job,
        { kind: 'failed', error: new NonRetryableError((error as Error).message) },
        policy,
        now,
        maxPayloadBytes,
        cancelRequested,
      );
    }
    const transition: JobTransition = { ...lease, to: 'succeeded', result, finishedAt: now };
    if (!policy.keepSucceeded) transition.remove = true;
    return { state: 'succeeded', transition };
  }
  const { error } = outcome;
  const errors = appendError(job, error, now);
  if (cancelRequested) {
    return { state: 'cancelled', error, transition: { ...lease, to: 'cancelled', errors, finishedAt: now } };
  }
  const retryable =
    !(error instanceof NonRetryableError) &&
    job.attempt < job.maxAttempts &&
    policy.retryIf(error, job.attempt);
  if (!retryable) {
    return { state: 'failed', error, transition: { ...lease, to: 'failed', errors, finishedAt: now } };
  }
  const delayMs = error instanceof RetryAfterError ? error.delayMs : policy.backoff(job.attempt, error);
  const retryAt = now + delayMs;
  return {
    state: 'scheduled',
    error,
    retryAt,
    transition: { ...lease, to: 'scheduled', errors, runAt: retryAt },
  };
}

/** A job whose worker stopped renewing its lease: the lost attempt counts, and it runs again at once if any remain. */
export function rescueExpired(job: JobRecord, now: number): JobTransition {
  const error = new Error(
    `lease expired: worker ${job.workerId ?? '?'} stopped renewing it (crashed, killed, frozen or cut off)`,
  );
  error.name = 'LeaseExpiredError';
  const errors = appendError(job, error, now);
  const lease = {
    id: job.id,
    from: ['running'] as const,
    leaseToken: job.leaseToken ?? '',
    leaseExpiredBefore: now,
  };
  return job.attempt < job.maxAttempts
    ? { ...lease, to: 'scheduled', errors, runAt: now }
    : { ...lease, to: 'failed', errors, finishedAt: now };
}

/** A job interrupted by its own worker's shutdown goes back to its queue; the interrupted attempt does not count. */
export function handBack(job: JobRecord, now: number): JobTransition {
  return { ...undoClaim(job), to: 'queued', runAt: now };
}

/** A job cancelled while its worker held it for a slot: it never ran, so the claim's attempt does not count. */
export function cancelBeforeStart(job: JobRecord, now: number): JobTransition {
  return { ...undoClaim(job), to: 'cancelled', finishedAt: now };
}

/** Leaves a claimed job as if the claim had not counted an attempt or a start, if this worker still holds it. */
function undoClaim(job: JobRecord) {
  return {
    id: job.id,
    from: ['running'] as const,
    leaseToken: job.leaseToken ?? '',
    attempt: Math.max(0, job.attempt - 1),
    startedAt: null,
  };
}

function appendError(job: JobRecord, error: Error, now: number): string {
  const entry: AttemptError = { attempt: job.attempt, at: now, name: error.name, message: error.message };
  if (error.stack) entry.stack = error.stack.slice(0, KEPT_STACK_CHARS);
  return JSON.stringify([...readAttemptErrors(job.errors), entry].slice(-KEPT_ERRORS));
}
