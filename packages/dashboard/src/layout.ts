import type { JobState } from '@errand/core';
import { html, type SafeHtml } from './html.ts';

/** What every page needs to draw its frame. */
export interface PageContext {
  basePath: string;
  csrfToken: string;
  refreshMs: number;
  /** The current time on the app's clock (epoch ms). */
  now: number;
}

export type Section = 'queues' | 'jobs' | 'schedules' | 'workers';

const SECTIONS: [Section, string, string][] = [
  ['queues', 'Queues', '/'],
  ['jobs', 'Jobs', '/jobs'],
  ['schedules', 'Schedules', '/schedules'],
  ['workers', 'Workers', '/workers'],
];

/**
 * A whole page. Its changing part is `<main id="live">`: app.js fetches the same URL every
 * refreshMs and swaps that element, so the page stays current without a reload.
 */
export function page(context: PageContext, section: Section, title: string, body: SafeHtml): SafeHtml {
  const { basePath } = context;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="errand-csrf" content="${context.csrfToken}" />
        <meta name="errand-refresh" content="${context.refreshMs}" />
        <title>${title} · errand</title>
        <link rel="stylesheet" href="${basePath}/assets/style.css" />
        <script type="module" src="${basePath}/assets/app.js"></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="${basePath}/"><span class="logo" aria-hidden="true">e</span>errand</a>
          <nav>
            ${SECTIONS.map(
              ([name, label, path]) =>
                html`<a href="${basePath}${path}" ${name === section ? html` aria-current="page"` : ''}
                  >${label}</a
                >`,
            )}
          </nav>
          <span
            class="live"
            id="live-status"
            title="Refreshes every ${Math.round(context.refreshMs / 1000)} s"
            >${context.refreshMs > 0 ? 'live' : 'static'}</span
          >
        </header>
        <main id="live" data-title="${title} · errand">${body}</main>
        <div id="toast" role="status" aria-live="polite"></div>
      </body>
    </html>`;
}

/** A state as a coloured label. */
export function stateBadge(state: JobState): SafeHtml {
  return html`<span class="badge state-${state}">${state}</span>`;
}

/** A button that POSTs an action (app.js adds the CSRF token); `confirm` asks first. */
export function actionButton(
  context: PageContext,
  path: string,
  label: string,
  options: { confirm?: string; kind?: 'danger' | 'primary' } = {},
): SafeHtml {
  return html`<button
    type="button"
    class="action ${options.kind ?? ''}"
    data-action="${context.basePath}/actions${path}"
    ${options.confirm ? html` data-confirm="${options.confirm}"` : ''}
  >
    ${label}
  </button>`;
}

/** A path segment of a name (queue, task, schedule), encoded. */
export function segment(name: string): string {
  return encodeURIComponent(name);
}
