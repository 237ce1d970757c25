import { setTimeout as sleep } from 'node:timers/promises';
import { jobFromRecord, readAttemptErrors, type Job } from '../jobs/job.ts';
import { isFinished } from '../jobs/states.ts';
import { JobCancelledError, JobFailedError, ResultTimeoutError } from '../jobs/task-errors.ts';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';
import { cancelJob } from './job-admin.ts';
import type { Runtime } from './runtime.ts';

/** Result waiters poll the store at most this often when no in-process signal comes. */
const MAX_POLL_MS = 500;

/** A job the caller enqueued or looked up: its state, its result, its cancellation. */
export class JobHandle<Output = unknown> {
  readonly id: string;
  /** True when enqueue found a unique job already holding the key and returned it instead of adding one. */
  readonly deduplicated: boolean;
  readonly #runtime: Runtime;

  constructor(id: string, runtime: Runtime, options: { deduplicated?: boolean } = {}) {
    this.id = id;
    this.deduplicated = options.deduplicated ?? false;
    this.#runtime = runtime;
  }

  /** The job as stored now, or null when it does not exist (never did, or pruned). */
  async status(): Promise<Job<unknown, Output> | null> {
    const record = await (await this.#runtime.storage()).get(this.id);
    return record ? jobFromRecord<unknown, Output>(record) : null;
  }

  /**
   * Waits for the job to finish. Resolves with its output; rejects with
   * JobFailedError (carrying every attempt's error), JobCancelledError, or
   * ResultTimeoutError once `timeout` has passed. (Default timeout: none)
   */
  async result(options: { timeout?: Duration } = {}): Promise<Output> {
    const timeoutMs =
      options.timeout === undefined ? Infinity : toMilliseconds(options.timeout, 'result timeout');
    const deadline = performance.now() + timeoutMs;
    const backend = await this.#runtime.storage();
    let pollMs = 10;
    for (;;) {
      const record = await backend.get(this.id);
      if (!record) {
        throw new Error(
          `job ${this.id} does not exist (never enqueued, pruned by retention, deleted, or succeeded ` +
            'in a task with keepSucceeded: false, which keeps no record of its successes)',
        );
      }
      if (isFinished(record.state)) {
        if (record.state === 'succeeded') return jobFromRecord<unknown, Output>(record).result as Output;
        if (record.state === 'cancelled') throw new JobCancelledError(this.id);
        throw new JobFailedError(this.id, readAttemptErrors(record.errors));
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new ResultTimeoutError(this.id, timeoutMs);
      await this.#settledOrTimeout(Math.min(pollMs, remaining));
      pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
    }
  }

  /**
   * Cancels the job: at once if it has not started; if it runs, its signal is
   * aborted in whichever worker runs it (within a second) and it ends
   * cancelled if the handler gives up. False if it had already finished.
   */
  async cancel(): Promise<boolean> {
    return cancelJob(this.#runtime, this.id);
  }

  async #settledOrTimeout(ms: number): Promise<void> {
    const abort = new AbortController();
    const stopListening = this.#runtime.bus.onceJobSettled(this.id, () => abort.abort());
    try {
      await sleep(ms, undefined, { signal: abort.signal });
    } catch {
      // aborted: the job settled in this process
    } finally {
      stopListening();
    }
  }
}
