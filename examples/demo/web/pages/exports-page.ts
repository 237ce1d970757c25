/** Exports: a button that enqueues a long CSV export, and each export's live progress and download. */
import { html } from 'hono/html';
import type { JobView } from '../job-view.ts';
import { jobLine } from './job-line.ts';
import type { Html } from './layout.ts';

export interface ExportsPageData {
  rows: number;
  /** How long an export takes at the configured pace. */
  expectedSeconds: number;
  justQueued: { job: JobView; responseMs: number } | null;
  recentExports: JobView[];
}

export function exportsPage(data: ExportsPageData): Html {
  return html`<h1>Exports</h1>
    <p class="lead">
      An export of ${data.rows.toLocaleString('en-US')} orders takes about ${duration(data.expectedSeconds)}
      of work, written to the file as the rows come: longer than a proxy lets a request run (nginx stops at 60
      s). So the request enqueues <code>export-csv</code> and answers; the bar below follows the job's
      progress.
    </p>
    <form class="card inline" method="post" action="/exports">
      <button type="submit">Export CSV</button>
      <span class="muted"
        >${data.rows.toLocaleString('en-US')} rows, about ${duration(data.expectedSeconds)}</span
      >
    </form>
    ${
      data.justQueued
        ? html`<p class="notice" role="status">
            This page answered in
            <strong class="response-time">${data.justQueued.responseMs.toFixed(1)} ms</strong>: the request
            enqueued <code>export-csv</code> #${data.justQueued.job.id}.
          </p>`
        : ''
    }
    <h2>Recent exports</h2>
    ${
      data.recentExports.length === 0
        ? html`<p class="muted">None yet.</p>`
        : html`<ul class="jobs">
            ${data.recentExports.map((job) => jobLine(job))}
          </ul>`
    }`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
