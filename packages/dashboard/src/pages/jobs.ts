import { isJobState, type Errand, type Job } from '@errand/core';
import { STATES } from '../counts.ts';
import { exact, relative } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { page, stateBadge, type PageContext } from '../layout.ts';

const PAGE_SIZE = 50;

/** The jobs page's query: each filter, or undefined for any. */
export interface JobsQuery {
  queue?: string;
  task?: string;
  state?: Job['state'];
  before?: string;
}

/** Reads the filters from a URL; an unknown state or a malformed cursor is left out. */
export function jobsQuery(url: URL): JobsQuery {
  const read = (name: string) => {
    const value = url.searchParams.get(name);
    return value === null || value === '' ? undefined : value;
  };
  const state = read('state');
  const before = read('before');
  return {
    queue: read('queue'),
    task: read('task'),
    state: isJobState(state) ? state : undefined,
    before: before !== undefined && /^[1-9][0-9]{0,18}$/.test(before) ? before : undefined,
  };
}

/** Jobs newest first, filtered by queue, task and state, a page at a time by cursor. */
export async function jobsPage(errand: Errand, context: PageContext, query: JobsQuery): Promise<SafeHtml> {
  const [{ jobs, next }, stats] = await Promise.all([
    errand.jobs({ ...query, limit: PAGE_SIZE }),
    errand.stats(),
  ]);
  const queues = [...new Set(stats.map((stat) => stat.queue))].sort();
  const tasks = [...new Set(stats.map((stat) => stat.task))].sort();
  const link = (changes: Partial<JobsQuery>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...query, ...changes })) {
      if (value !== undefined) params.set(key, value);
    }
    const text = params.toString();
    return `${context.basePath}/jobs${text ? `?${text}` : ''}`;
  };
  const select = (name: string, label: string, values: readonly string[], current: string | undefined) =>
    html`<label
      >${label}<select name="${name}">
        <option value="">any</option>
        ${values.map((value) => html`<option${value === current ? html` selected` : ''}>${value}</option>`)}
      </select></label
    >`;
  const filtered = query.queue !== undefined || query.task !== undefined || query.state !== undefined;
  const body = html` <h1>Jobs</h1>
    <form class="filters" method="get" action="${context.basePath}/jobs">
      ${select('queue', 'Queue', queues, query.queue)} ${select('task', 'Task', tasks, query.task)}
      ${select('state', 'State', STATES, query.state)}
      <button type="submit">Filter</button>
      ${filtered ? html`<a class="clear" href="${context.basePath}/jobs">Clear</a>` : ''}
    </form>
    <section class="panel">
      ${
        jobs.length === 0
          ? html`<p class="empty">No job matches${query.before ? ' on this page' : ''}.</p>`
          : html`<table class="grid jobs">
              <thead>
                <tr>
                  <th class="num">id</th>
                  <th>task</th>
                  <th>queue</th>
                  <th>state</th>
                  <th class="num">attempt</th>
                  <th>created</th>
                  <th>finished / due</th>
                  <th>last error</th>
                </tr>
              </thead>
              <tbody>
                ${jobs.map((job) => jobRow(job, context))}
              </tbody>
            </table>`
      }
      <nav class="pager">
        ${query.before ? html`<a href="${link({ before: undefined })}">« Newest</a>` : html`<span></span>`}
        ${next !== null ? html`<a rel="next" href="${link({ before: next })}">Older »</a>` : html`<span class="muted">end of list</span>`}
      </nav>
    </section>`;
  return page(context, 'jobs', 'Jobs', body);
}

function jobRow(job: Job, context: PageContext): SafeHtml {
  const href = `${context.basePath}/jobs/${job.id}`;
  const lastError = job.errors.at(-1);
  const when =
    job.finishedAt !== null
      ? job.finishedAt
      : job.state === 'scheduled' || job.state === 'queued'
        ? job.runAt
        : job.startedAt;
  return html`<tr>
    <td class="num"><a href="${href}">${job.id}</a></td>
    <td><a href="${href}">${job.task}</a></td>
    <td>${job.queue}</td>
    <td>
      ${stateBadge(job.state)}${job.cancelRequested ? html` <span class="badge paused">cancelling</span>` : ''}
    </td>
    <td class="num">${job.attempt}/${job.maxAttempts}</td>
    <td title="${exact(job.createdAt)}">${relative(job.createdAt, context.now)}</td>
    <td title="${exact(when)}">${relative(when, context.now)}</td>
    <td class="error-cell">
      ${lastError ? html`<span class="error-text">${lastError.name}: ${lastError.message}</span>` : ''}
    </td>
  </tr>`;
}
