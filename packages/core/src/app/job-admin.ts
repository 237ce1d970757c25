import { announceJobs } from './announce.ts';
import type { Runtime } from './runtime.ts';

/** Cancels a job that has not started. True if this call cancelled it. */
export async function cancelJob(runtime: Runtime, id: string): Promise<boolean> {
  const backend = await runtime.storage();
  const [applied] = await backend.transition([
    { id, from: ['scheduled', 'queued'], to: 'cancelled', finishedAt: runtime.clock.now() },
  ]);
  if (applied) runtime.bus.jobSettled(id);
  return applied === true;
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
