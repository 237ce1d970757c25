/**
 * A job on a page: its number, state, summary line and (for exports) progress bar and download
 * link. `data-job-id` makes the page's script poll /api/jobs/:id and update it until it finishes.
 */
import { html } from 'hono/html';
import type { JobView } from '../job-view.ts';
import type { Html } from './layout.ts';

export function jobLine(view: JobView): Html {
  return html`<li class="job" data-job-id="${view.id}" data-finished="${String(view.finished)}">
    <div class="job-head">
      <span class="job-id">${view.task} #${view.id}</span>
      <span class="state state-${view.state}" data-field="state">${view.state}</span>
      <span class="muted">${view.about}</span>
    </div>
    ${
      view.percent === null
        ? ''
        : html`<progress
            max="100"
            value="${view.percent}"
            data-field="progress"
            aria-label="Progress of ${view.task} #${view.id}"
          >
            ${view.percent}%
          </progress>`
    }
    <div class="job-summary" data-field="summary">${view.summary}</div>
    ${
      view.task === 'export-csv'
        ? html`<a
            class="button"
            data-field="download"
            href="${view.downloadUrl ?? '#'}"
            ${view.downloadUrl ? '' : html`hidden`}
            >Download CSV</a
          >`
        : ''
    }
  </li>`;
}
