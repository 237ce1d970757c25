/**
 * GET /exports shows the exports and their progress; POST /exports enqueues one; GET
 * /exports/:id/download streams a finished export's file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import type { DemoConfig } from '../../config.ts';
import { exportFileName, exportPath } from '../../csv/export-files.ts';
import { app as errand, exportCsv } from '../../tasks/declarations.ts';
import type { WebEnv } from '../env.ts';
import { jobView } from '../job-view.ts';
import { exportsPage } from '../pages/exports-page.ts';
import { renderPage } from '../render.ts';
import { justQueued } from './just-queued.ts';

export function exportRoutes(config: DemoConfig): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();

  routes.get('/exports', async (c) => {
    const queued = await justQueued(c, exportCsv.name);
    const { jobs } = await errand.jobs({ task: exportCsv.name, limit: 8 });
    return renderPage(
      c,
      { title: 'Exports', path: '/exports' },
      exportsPage({
        rows: config.exportRows,
        expectedSeconds: config.exportRows / config.exportRowsPerSecond,
        justQueued: queued && { job: jobView(queued.job), responseMs: queued.responseMs },
        recentExports: jobs.map((job) => jobView(job)),
      }),
    );
  });

  routes.post('/exports', csrf(), async (c) => {
    const startedAt = performance.now();
    const handle = await exportCsv.enqueue({ rows: config.exportRows });
    const responseMs = performance.now() - startedAt;
    return c.redirect(`/exports?job=${encodeURIComponent(handle.id)}&ms=${responseMs.toFixed(2)}`, 303);
  });

  routes.get('/exports/:id/download', async (c) => {
    const id = c.req.param('id');
    const job = await errand.job(id).status();
    const file = exportPath(config.exportsDir, id);
    if (!job || job.task !== exportCsv.name || !file) return c.text('No such export.', 404);
    if (job.state !== 'succeeded') return c.text(`Export #${id} is ${job.state}, not finished.`, 409);
    const size = (await stat(file).catch(() => null))?.size;
    if (size === undefined) return c.text(`Export #${id} was cleaned up; start a new one.`, 410);
    return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Length': String(size),
        'Content-Disposition': `attachment; filename="${exportFileName(id)}"`,
      },
    });
  });

  return routes;
}
