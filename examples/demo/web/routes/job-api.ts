/** GET /api/jobs/:id: a job as the pages show it (see job-view.ts), for the page script's live updates. */
import { Hono } from 'hono';
import { app as errand } from '../../tasks/declarations.ts';
import type { WebEnv } from '../env.ts';
import { jobView } from '../job-view.ts';

export const jobApiRoutes = new Hono<WebEnv>();

jobApiRoutes.get('/api/jobs/:id', async (c) => {
  const job = await errand.job(c.req.param('id')).status();
  if (!job) return c.json({ error: 'no such job' }, 404);
  c.header('Cache-Control', 'no-store');
  return c.json(jobView(job));
});
