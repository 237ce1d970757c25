/**
 * The frame of every page: the header with the navigation, the content, and a footer saying where
 * jobs live. Every value goes through hono's `html` template, which escapes what it interpolates.
 */
import { html } from 'hono/html';

export type Html = ReturnType<typeof html>;

/** The navigation; the last entry is errand's dashboard, mounted at /errand (web-app.ts). */
export const NAV_LINKS: readonly { href: string; label: string }[] = [
  { href: '/', label: 'Sign up' },
  { href: '/outbox', label: 'Outbox' },
  { href: '/exports', label: 'Exports' },
  { href: '/schedules', label: 'Schedules' },
  { href: '/errand', label: 'Dashboard' },
];

export interface PageFrame {
  title: string;
  /** The NAV_LINKS entry to mark as the current page. */
  path: string;
  /** Where jobs live, with any password hidden. */
  store: string;
}

export function layout(frame: PageFrame, content: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>${frame.title} · errand demo</title>
        <link rel="stylesheet" href="/static/style.css" />
        <script src="/static/live.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">errand <span>demo</span></a>
          <nav aria-label="Pages">
            ${NAV_LINKS.map(
              (link) =>
                html`<a href="${link.href}" ${link.href === frame.path ? html`aria-current="page"` : ''}
                  >${link.label}</a
                >`,
            )}
          </nav>
        </header>
        <main>${content}</main>
        <footer>
          Jobs live in <code>${frame.store}</code>. This web process only enqueues; a separate worker process
          runs the jobs.
        </footer>
      </body>
    </html>`;
}
