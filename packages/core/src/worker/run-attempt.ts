import type { Handler, TaskPolicy } from '../app/task.ts';
import { validateInput } from '../app/input-validation.ts';
import { decodeJson } from '../jobs/json-payload.ts';
import { asError, JobTimeoutError, NonRetryableError } from '../jobs/task-errors.ts';
import type { AttemptOutcome } from './attempt-verdict.ts';
import type { RunningAttempt } from './running-attempt.ts';

/**
 * Runs one attempt and says how it ended. Never throws or rejects: a handler
 * that throws anything, or runs past its timeout, is an outcome like any
 * other. A handler that returns without a promise gets its outcome at once,
 * with no promise made on its behalf (a worker may run tens of thousands a second).
 */
export function runAttempt(
  attempt: RunningAttempt,
  policy: TaskPolicy,
  handler: Handler<unknown, unknown>,
): AttemptOutcome | Promise<AttemptOutcome> {
  let stored: unknown;
  try {
    stored = decodeJson(attempt.record.payload, `job ${attempt.jobId} stored input`);
  } catch (error) {
    return refused(error);
  }
  if (!policy.input) return invoke(attempt, policy, handler, stored, stored);
  return validateInput(policy.input, stored, policy.name).then(
    (input) => invoke(attempt, policy, handler, input, stored),
    refused,
  );
}

/** Input that cannot be read or fails its schema will not get better on a retry. */
function refused(error: unknown): AttemptOutcome {
  return { kind: 'failed', error: new NonRetryableError((error as Error).message) };
}

function invoke(
  attempt: RunningAttempt,
  policy: TaskPolicy,
  handler: Handler<unknown, unknown>,
  input: unknown,
  stored: unknown,
): AttemptOutcome | Promise<AttemptOutcome> {
  let returned: unknown;
  try {
    returned = handler(input, attempt);
  } catch (thrown) {
    return { kind: 'failed', error: asError(thrown), input: stored };
  }
  if (!isThenable(returned)) return { kind: 'succeeded', value: returned, input: stored };
  const handled = Promise.resolve(returned).then(
    (value): AttemptOutcome => ({ kind: 'succeeded', value, input: stored }),
    (thrown: unknown): AttemptOutcome => ({ kind: 'failed', error: asError(thrown), input: stored }),
  );
  return policy.timeoutMs === null ? handled : raceTimeout(attempt, policy.timeoutMs, handled, stored);
}

/** A handler that ignores its signal still loses the race: its attempt is recorded and its slot freed. */
async function raceTimeout(
  attempt: RunningAttempt,
  timeoutMs: number,
  handled: Promise<AttemptOutcome>,
  stored: unknown,
): Promise<AttemptOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<AttemptOutcome>((resolve) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(`attempt ${attempt.attempt} timed out after ${timeoutMs} ms`);
      attempt.abort(error);
      resolve({ kind: 'failed', error, input: stored });
    }, timeoutMs);
  });
  try {
    return await Promise.race([handled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
