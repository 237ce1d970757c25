/** GET /schedules: the schedules the workers declared, with their last and next run and latest job. */
import { Hono } from 'hono';
import { app as errand } from '../../tasks/declarations.ts';
import type { WebEnv } from '../env.ts';
import { schedulesPage } from '../pages/schedules-page.ts';
import { renderPage } from '../render.ts';

export const scheduleRoutes = new Hono<WebEnv>();

scheduleRoutes.get('/schedules', async (c) => {
  const schedules = await errand.schedules();
  const rows = await Promise.all(
    schedules.map(async (schedule) => ({
      schedule,
      latestJob: (await errand.jobs({ task: schedule.task, limit: 1 })).jobs[0] ?? null,
    })),
  );
  return renderPage(c, { title: 'Schedules', path: '/schedules' }, schedulesPage(rows));
});
