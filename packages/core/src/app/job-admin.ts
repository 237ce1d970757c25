import { isFinished } from '../jobs/states.ts';
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
