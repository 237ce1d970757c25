import type { Errand, Job } from '@errand/core';
import { exact, relative } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { page, type PageContext } from '../layout.ts';

/** Running jobs read to show what each worker runs: more than any worker's slots, in practice. */
const RUNNING_SHOWN = 500;

/** Workers alive, their last heartbeat, and the jobs each runs now. */
export async function workersPage(errand: Errand, context: PageContext): Promise<SafeHtml> {
  const [workers, running] = await Promise.all([
    errand.workers(),
    errand.jobs({ state: 'running', limit: RUNNING_SHOWN }),
  ]);
  const byWorker = new Map<string, Job[]>();
  for (const job of running.jobs) {
    if (job.workerId === null) continue;
    byWorker.set(job.workerId, [...(byWorker.get(job.workerId) ?? []), job]);
  }
  const { now, basePath } = context;
  const body = html` <h1>Workers <span class="subtle">${workers.length} alive</span></h1>
    <section class="panel">
      ${
        workers.length === 0
          ? html`<p class="empty">
              No worker has sent a heartbeat in the last minute. Start one with
              <code>npx errand worker ./tasks.ts</code>.
            </p>`
          : html`<table class="grid">
              <thead>
                <tr>
                  <th>Worker</th>
                  <th>Host</th>
                  <th>Queues</th>
                  <th>Tasks</th>
                  <th class="num">Slots</th>
                  <th>Started</th>
                  <th>Heartbeat</th>
                  <th>Running now</th>
                </tr>
              </thead>
              <tbody>
                ${workers.map((worker) => {
                  const jobs = byWorker.get(worker.id) ?? [];
                  return html`<tr>
                    <th scope="row"><code>${worker.id}</code></th>
                    <td>${worker.hostname} <span class="subtle">pid ${worker.pid}</span></td>
                    <td>
                      ${worker.queues === null ? html`<span class="subtle">all</span>` : worker.queues.join(', ')}
                    </td>
                    <td>${worker.tasks.join(', ')}</td>
                    <td class="num">${jobs.length}/${worker.concurrency}</td>
                    <td title="${exact(worker.startedAt)}">${relative(worker.startedAt, now)}</td>
                    <td title="${exact(worker.heartbeatAt)}">${relative(worker.heartbeatAt, now)}</td>
                    <td>
                      ${jobs.length === 0 ? html`<span class="subtle">idle</span>` : jobs.map((job) => html`<a class="chip" href="${basePath}/jobs/${job.id}">${job.task} #${job.id}</a> `)}
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
    </section>`;
  return page(context, 'workers', 'Workers', body);
}
