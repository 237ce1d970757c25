/**
 * After a form enqueues a job, it redirects to its page with `?job=<id>&ms=<response time>`; this
 * reads them back. The job is looked up, so the page shows only what the store says.
 */
import type { Job } from 'errand';
import type { Context } from 'hono';
import { app as errand } from '../../tasks/declarations.ts';

export async function justQueued(c: Context, task: string): Promise<{ job: Job; responseMs: number } | null> {
  const id = c.req.query('job');
  const responseMs = Number(c.req.query('ms'));
  if (!id || !Number.isFinite(responseMs)) return null;
  const job = await errand.job(id).status();
  return job && job.task === task ? { job, responseMs } : null;
}
