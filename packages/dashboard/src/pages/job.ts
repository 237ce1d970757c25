import type { Errand, Job } from '@errand/core';
import { exact, pretty, relative } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { actionButton, page, segment, stateBadge, type PageContext } from '../layout.ts';

/** One job: what it was given, what came of it, each attempt's error, and its timeline. */
export async function jobPage(errand: Errand, context: PageContext, id: string): Promise<SafeHtml | null> {
  const job = await errand.job(id).status();
  if (job === null) return null;
  const { now, basePath } = context;
  const path = `/jobs/${segment(job.id)}`;
  const actions = [
    job.state === 'failed' || job.state === 'cancelled'
      ? actionButton(context, `${path}/retry`, 'Retry', { kind: 'primary' })
      : '',
    job.state === 'scheduled' || job.state === 'queued' || (job.state === 'running' && !job.cancelRequested)
      ? actionButton(context, `${path}/cancel`, 'Cancel', {
          confirm: job.state === 'running' ? 'Ask the worker to stop this job?' : 'Cancel this job?',
        })
      : '',
    job.state !== 'running'
      ? actionButton(context, `${path}/delete`, 'Delete', {
          kind: 'danger',
          confirm: `Delete job ${job.id} and everything kept about it?`,
        })
      : '',
  ];
  const facts: [string, SafeHtml | string][] = [
    ['Queue', html`<a href="${basePath}/jobs?queue=${segment(job.queue)}">${job.queue}</a>`],
    ['Task', html`<a href="${basePath}/jobs?task=${segment(job.task)}">${job.task}</a>`],
    ['Attempts', `${job.attempt} of ${job.maxAttempts}`],
    ['Priority', String(job.priority)],
    ['Created', when(job.createdAt, now)],
    ['Due', when(job.runAt, now)],
    ['Started', when(job.startedAt, now)],
    ['Finished', when(job.finishedAt, now)],
    ['Worker', job.workerId ?? '–'],
  ];
  if (job.uniqueKey !== null) facts.push(['Unique key', job.uniqueKey]);
  if (job.concurrencyKey !== null) facts.push(['Concurrency key', job.concurrencyKey]);
  if (job.cancelRequested) facts.push(['Cancel', 'requested; the worker has been told to stop']);
  const body = html` <p class="crumbs">
      <a href="${basePath}/jobs">Jobs</a> ›
      <a href="${basePath}/jobs?task=${segment(job.task)}">${job.task}</a>
    </p>
    <div class="title-row">
      <h1>Job ${job.id} <span class="subtle">${job.task}</span> ${stateBadge(job.state)}</h1>
      <div class="actions">${actions}</div>
    </div>
    <div class="columns">
      <section class="panel">
        <h2>Details</h2>
        <dl class="facts">
          ${facts.map(
            ([label, value]) =>
              html`<dt>${label}</dt>
                <dd>${value}</dd>`,
          )}
        </dl>
        ${progressView(job)}
      </section>
      <section class="panel">
        <h2>Timeline</h2>
        <ol class="timeline">
          ${timeline(job, now).map(
            (event) =>
              html`<li class="event-${event.kind}">
                <time title="${exact(event.at)}">${relative(event.at, now)}</time> ${event.text}
              </li>`,
          )}
        </ol>
      </section>
    </div>
    <section class="panel">
      <h2>Input</h2>
      <pre class="json">${pretty(job.input)}</pre>
    </section>
    ${
      job.state === 'succeeded'
        ? html`<section class="panel">
            <h2>Result</h2>
            <pre class="json">${pretty(job.result)}</pre>
          </section>`
        : ''
    }
    <section class="panel">
      <h2>
        Errors
        <span class="subtle"
          >${job.errors.length === 0 ? 'none' : `${job.errors.length} attempt${job.errors.length === 1 ? '' : 's'} failed`}</span
        >
      </h2>
      ${job.errors
        .slice()
        .reverse()
        .map(
          (error) =>
            html`<article class="attempt-error">
              <header>
                <strong>Attempt ${error.attempt}</strong>
                <time title="${exact(error.at)}">${relative(error.at, now)}</time>
              </header>
              <p class="error-text">${error.name}: ${error.message}</p>
              ${
                error.stack
                  ? html`<details data-key="stack-${error.attempt}">
                      <summary>Stack</summary>
                      <pre class="stack">${error.stack}</pre>
                    </details>`
                  : ''
              }
            </article>`,
        )}
    </section>`;
  return page(context, 'jobs', `Job ${job.id}`, body);
}

function when(at: Date | null, now: number): SafeHtml | string {
  return at === null
    ? '–'
    : html`<time title="${exact(at)}">${relative(at, now)}</time> <span class="subtle">${exact(at)}</span>`;
}

/** A progress bar when the report holds a count and a total, and the report itself. */
function progressView(job: Job): SafeHtml | string {
  if (job.progress === undefined) return '';
  const report = job.progress;
  let bar: SafeHtml | string = '';
  if (report !== null && typeof report === 'object' && !Array.isArray(report)) {
    const values = report as Record<string, unknown>;
    const total = ['total', 'of', 'max'].map((key) => values[key]).find((v) => typeof v === 'number');
    const done = ['done', 'current', 'rows', 'value', 'count']
      .map((key) => values[key])
      .find((v) => typeof v === 'number');
    if (typeof total === 'number' && typeof done === 'number' && total > 0) {
      bar = html`<progress max="${total}" value="${Math.min(done, total)}"></progress>
        <span class="subtle">${Math.floor((100 * Math.min(done, total)) / total)}%</span>`;
    }
  }
  return html`<h3>Progress</h3>
    ${bar}
    <pre class="json">${pretty(report)}</pre>`;
}

interface TimelineEvent {
  at: number;
  kind: string;
  text: string;
}

/**
 * The job's states over time, from what the store keeps: when it was created and due, each
 * failed attempt, when its latest attempt started, and how it ended.
 */
function timeline(job: Job, now: number): TimelineEvent[] {
  const events: TimelineEvent[] = [
    { at: job.createdAt.getTime(), kind: 'created', text: `enqueued in ${job.queue}` },
  ];
  if (job.runAt.getTime() - job.createdAt.getTime() > 1_000 && job.errors.length === 0) {
    events.push({
      at: job.runAt.getTime(),
      kind: 'scheduled',
      text: job.runAt.getTime() > now ? 'due' : 'became due',
    });
  }
  for (const error of job.errors) {
    events.push({ at: error.at, kind: 'failed', text: `attempt ${error.attempt} failed: ${error.name}` });
  }
  if (job.startedAt !== null) {
    events.push({ at: job.startedAt.getTime(), kind: 'running', text: `attempt ${job.attempt} started` });
  }
  if (job.state === 'scheduled' && job.errors.length > 0) {
    events.push({
      at: job.runAt.getTime(),
      kind: 'scheduled',
      text: `retry ${job.runAt.getTime() > now ? 'due' : 'became due'}`,
    });
  }
  if (
    job.finishedAt !== null &&
    (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled')
  ) {
    events.push({ at: job.finishedAt.getTime(), kind: job.state, text: job.state });
  }
  if (job.state === 'queued' && job.errors.length > 0) {
    events.push({ at: job.runAt.getTime(), kind: 'queued', text: 'queued again' });
  }
  // Events of one millisecond (a fast failure) in the order they happen.
  const order = ['created', 'scheduled', 'running', 'failed', 'queued', 'succeeded', 'cancelled'];
  return events.sort((a, b) => a.at - b.at || order.indexOf(a.kind) - order.indexOf(b.kind));
}
