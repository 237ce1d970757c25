import { isFinished, JOB_STATES, type JobState } from '../jobs/states.ts';
import { announceJobs } from './announce.ts';
import type { Runtime } from './runtime.ts';

/**
 * Cancels a job that has not started, or asks the worker running it to stop
 * (its signal is aborted). True if either happened; false if it had finished.
 */
export async function cancelJob(runtime: Runtime, id: string): Promise<boolean> {
  const backend = await runtime.storage();
  // The job may move between the two steps (claimed, or retried): look again a few times.
  for (let tries = 0; tries < 3; tries++) {
    const [cancelled] = await backend.transition([
      { id, from: ['scheduled', 'queued'], to: 'cancelled', finishedAt: runtime.clock.now() },
    ]);
    if (cancelled) {
      runtime.bus.jobSettled(id);
      return true;
    }
    if (await backend.requestCancel(id)) {
      runtime.bus.cancelRequested(id);
      return true;
    }
    const job = await backend.get(id);
    if (!job || isFinished(job.state)) return false;
  }
  return false;
}

/**
 * Puts a failed or cancelled job back in its queue, due now. A job that used
 * all its attempts gets one more, and its past errors are kept.
 */
export async function retryJob(runtime: Runtime, id: string): Promise<boolean> {
  const backend = await runtime.storage();
  const job = await backend.get(id);
  if (!job || (job.state !== 'failed' && job.state !== 'cancelled')) return false;
  const [applied] = await backend.transition([
    {
      id,
      from: [job.state],
      to: 'queued',
      runAt: runtime.clock.now(),
      maxAttempts: Math.max(job.maxAttempts, job.attempt + 1),
      result: null,
      finishedAt: null,
    },
  ]);
  if (applied) announceJobs(runtime, backend, [job.queue]);
  return applied === true;
}

/** The states a job may be deleted from: all but running, whose worker would go on with it. */
const DELETABLE_STATES: readonly JobState[] = JOB_STATES.filter((state) => state !== 'running');

/**
 * Deletes a job that is not running (a running job's worker still holds it: cancel it first).
 * True if it did; false if there is no such job or it is running.
 */
export async function deleteJob(runtime: Runtime, id: string): Promise<boolean> {
  const backend = await runtime.storage();
  const deleted = await backend.deleteJob(id, DELETABLE_STATES);
  // Anyone waiting on its result hears that it is gone.
  if (deleted) runtime.bus.jobSettled(id);
  return deleted;
}

/** How many failed jobs one list() call reads while retrying them all. */
const RETRY_PAGE = 200;

/**
 * Retries every failed job of `task` (and of `queue`, when given), page by page, newest first.
 * Returns how many went back to their queue. A job that moved meanwhile is skipped.
 */
export async function retryFailed(
  runtime: Runtime,
  filter: { task: string; queue?: string },
): Promise<number> {
  const backend = await runtime.storage();
  let retried = 0;
  let before: string | undefined;
  do {
    const page = await backend.list({ ...filter, state: 'failed', before, limit: RETRY_PAGE });
    for (const job of page.jobs) if (await retryJob(runtime, job.id)) retried += 1;
    before = page.next ?? undefined;
  } while (before !== undefined);
  return retried;
}
