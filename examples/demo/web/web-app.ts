/**
 * The demo's web app (Hono): its pages and their routes. It declares tasks and enqueues them, and
 * reads jobs to show them; it never runs one (worker.ts does).
 */
import { createDashboard } from 'errand/dashboard';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { DemoConfig } from '../config.ts';
import type { OutboxServer } from '../mail/outbox-server.ts';
import { app } from '../tasks/declarations.ts';
import type { WebEnv } from './env.ts';
import { describeStore } from './render.ts';
import { exportRoutes } from './routes/exports.ts';
import { jobApiRoutes } from './routes/job-api.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { signUpRoutes } from './routes/signup.ts';
import { staticRoutes } from './routes/static-files.ts';

export function createWebApp({ config, outbox }: { config: DemoConfig; outbox: OutboxServer }): Hono<WebEnv> {
  const web = new Hono<WebEnv>();
  const store = describeStore(config.errandUrl);
  web.use(async (c, next) => {
    c.set('store', store);
    await next();
  });
  web.route('/', signUpRoutes);
  web.route('/', outboxRoutes(outbox));
  web.route('/', exportRoutes(config));
  web.route('/', scheduleRoutes);
  web.route('/', jobApiRoutes);
  web.route('/', staticRoutes);
  // The errand dashboard, on the app of tasks/declarations.ts. With no auth configured it serves loopback
  // clients only: the client's address comes from node's socket (WebEnv's bindings).
  const dashboard = createDashboard({ errand: app, basePath: '/errand' });
  const serveDashboard = (c: Context<WebEnv>) =>
    dashboard.fetch(c.req.raw, { remoteAddress: c.env.incoming.socket.remoteAddress });
  web.all('/errand', serveDashboard);
  web.all('/errand/*', serveDashboard);
  web.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse(); // e.g. the CSRF check's 403
    console.error(`${c.req.method} ${c.req.path}:`, error);
    return c.text('Something went wrong; the terminal running the demo says what.', 500);
  });
  return web;
}
