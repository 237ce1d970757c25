/** Schedules: each one's timing, last and next run, and what its latest job did. */
import type { Job, Schedule } from 'errand';
import { html } from 'hono/html';
import { formatDateTime } from './format.ts';
import type { Html } from './layout.ts';

export interface ScheduleRow {
  schedule: Schedule;
  /** The newest job of the schedule's task, if any ran. */
  latestJob: Job | null;
}

export function schedulesPage(rows: ScheduleRow[]): Html {
  return html`<h1>Schedules</h1>
    <p class="lead">
      Declared in the worker's code, no crontab. Every worker fires them, and each tick runs once however many
      workers are up: the tick is claimed in the store.
    </p>
    <section data-live-section="schedules">
      ${
        rows.length === 0
          ? html`<p class="muted">No schedule yet: the worker records them when it starts.</p>`
          : html`<table class="card">
              <thead>
                <tr>
                  <th>Schedule</th>
                  <th>Runs</th>
                  <th>Last run</th>
                  <th>Next run</th>
                  <th>Latest job</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(({ schedule, latestJob }) => scheduleRow(schedule, latestJob))}
              </tbody>
            </table>`
      }
    </section>`;
}

function scheduleRow(schedule: Schedule, job: Job | null): Html {
  return html`<tr data-schedule="${schedule.name}">
    <td>
      <strong>${schedule.name}</strong>
      ${schedule.task === schedule.name ? '' : html`<br /><span class="muted">task ${schedule.task}</span>`}
    </td>
    <td><code>${timing(schedule)}</code></td>
    <td data-field="last-run">${schedule.lastRunAt ? formatDateTime(schedule.lastRunAt) : 'not yet'}</td>
    <td>${schedule.paused ? 'paused' : schedule.nextRunAt ? formatDateTime(schedule.nextRunAt) : ''}</td>
    <td>
      ${
        job
          ? html`<span class="state state-${job.state}">${job.state}</span> #${job.id}
              ${job.state === 'succeeded' ? html`<code>${JSON.stringify(job.result)}</code>` : ''}`
          : html`<span class="muted">none yet</span>`
      }
    </td>
  </tr>`;
}

function timing(schedule: Schedule): string {
  const spec = schedule.timing;
  if ('cron' in spec) return `cron ${spec.cron}${spec.tz ? ` (${spec.tz})` : ''}`;
  return `every ${typeof spec.every === 'number' ? interval(spec.every) : spec.every}`;
}

/** An interval in its largest whole unit: the store keeps `every: '1m'` as 60000 (ms). */
function interval(ms: number): string {
  const units = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ] as const;
  const [size, unit] = units.find(([size]) => ms % size === 0) ?? [1, 'ms'];
  return `${ms / size} ${unit}`;
}
