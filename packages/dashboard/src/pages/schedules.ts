import { isDeclared, type Errand, type Schedule } from '@errand/core';
import { exact, pretty, relative, span } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { actionButton, page, segment, type PageContext } from '../layout.ts';

/** Every schedule: its timing, last and next run, and pause or resume. */
export async function schedulesPage(errand: Errand, context: PageContext): Promise<SafeHtml> {
  const schedules = await errand.schedules();
  const { now } = context;
  const body = html` <h1>Schedules</h1>
    <section class="panel">
      ${
        schedules.length === 0
          ? html`<p class="empty">
              No schedules. Declare one with <code>app.schedule(name, timing, task)</code>; a worker records
              it when it starts.
            </p>`
          : html`<table class="grid">
              <thead>
                <tr>
                  <th>Schedule</th>
                  <th>Task</th>
                  <th>Timing</th>
                  <th>Last run</th>
                  <th>Next run</th>
                  <th>Input</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${schedules.map((schedule) => row(schedule, context, now))}
              </tbody>
            </table>`
      }
    </section>`;
  return page(context, 'schedules', 'Schedules', body);
}

function row(schedule: Schedule, context: PageContext, now: number): SafeHtml {
  const stale = !isDeclared(schedule, now);
  const path = `/schedules/${segment(schedule.name)}`;
  return html`<tr>
    <th scope="row">
      ${schedule.name}${schedule.paused ? html` <span class="badge paused">paused</span>` : ''}${
        stale
          ? html` <span
              class="badge stale"
              title="No running worker has declared it since ${exact(schedule.declaredAt)}"
              >not declared</span
            >`
          : ''
      }
    </th>
    <td><a href="${context.basePath}/jobs?task=${segment(schedule.task)}">${schedule.task}</a></td>
    <td><code>${timing(schedule)}</code></td>
    <td title="${exact(schedule.lastRunAt)}">${relative(schedule.lastRunAt, now)}</td>
    <td title="${exact(schedule.nextRunAt)}">
      ${schedule.paused ? 'paused' : relative(schedule.nextRunAt, now)}
    </td>
    <td><code class="inline-json">${pretty(schedule.input)}</code></td>
    <td class="actions">
      ${
        schedule.paused
          ? actionButton(context, `${path}/resume`, 'Resume', { kind: 'primary' })
          : actionButton(context, `${path}/pause`, 'Pause', {
              confirm: `Pause schedule "${schedule.name}"? Its ticks are skipped until it is resumed.`,
            })
      }
    </td>
  </tr>`;
}

function timing(schedule: Schedule): string {
  const { timing } = schedule;
  if ('cron' in timing) return timing.tz ? `${timing.cron} (${timing.tz})` : timing.cron;
  return `every ${typeof timing.every === 'number' ? span(timing.every) : timing.every}`;
}
