import type { Handler, JobContext, Logger, TaskPolicy } from '../app/task.ts';
import { validateInput } from '../app/input-validation.ts';
import { decodeJson } from '../jobs/json-payload.ts';
import { asError, JobTimeoutError, NonRetryableError } from '../jobs/task-errors.ts';
import type { JobRecord } from '../storage/backend.ts';
import type { AttemptOutcome } from './attempt-verdict.ts';

export interface AttemptSetup {
  job: JobRecord;
  policy: TaskPolicy;
  handler: Handler<unknown, unknown>;
  /** Aborted by the worker (shutdown past grace, lost lease) or by the timeout. */
  controller: AbortController;
  /** The job's logger, built on first use. */
  logger(): Logger;
  progress(value: unknown): void;
}

/**
 * Runs one attempt and says how it ended. Never rejects: a handler that
 * throws anything, or runs past its timeout, is an outcome like any other.
 */
export async function runAttempt(setup: AttemptSetup): Promise<AttemptOutcome> {
  const { job, policy, controller } = setup;
  let stored: unknown;
  let input: unknown;
  try {
    stored = decodeJson(job.payload, `job ${job.id} stored input`);
    input = policy.input ? await validateInput(policy.input, stored, policy.name) : stored;
  } catch (error) {
    return { kind: 'failed', error: new NonRetryableError((error as Error).message) };
  }
  const context: JobContext = {
    jobId: job.id,
    task: job.task,
    queue: job.queue,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    signal: controller.signal,
    progress: async (value) => setup.progress(value),
    get logger() {
      return setup.logger();
    },
  };
  const handled = Promise.resolve()
    .then(() => setup.handler(input, context))
    .then(
      (value): AttemptOutcome => ({ kind: 'succeeded', value, input: stored }),
      (thrown: unknown): AttemptOutcome => ({ kind: 'failed', error: asError(thrown), input: stored }),
    );
  if (policy.timeoutMs === null) return handled;
  let timer: NodeJS.Timeout | undefined;
  // A handler that ignores its signal still loses the race: its attempt is recorded and its slot freed.
  const timedOut = new Promise<AttemptOutcome>((resolve) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(`attempt ${job.attempt} timed out after ${policy.timeoutMs} ms`);
      controller.abort(error);
      resolve({ kind: 'failed', error, input: stored });
    }, policy.timeoutMs!);
  });
  try {
    return await Promise.race([handled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
