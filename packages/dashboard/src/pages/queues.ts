import type { Errand } from '@errand/core';
import { throughputChart } from '../chart.ts';
import { countBy, STATES, zeroCounts, type Counts } from '../counts.ts';
import { count } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { actionButton, page, segment, type PageContext } from '../layout.ts';

/** The front page: totals by state, the last hour's throughput, every queue and every task. */
export async function queuesPage(errand: Errand, context: PageContext): Promise<SafeHtml> {
  const [stats, paused, throughput] = await Promise.all([
    errand.stats(),
    errand.pausedQueues(),
    errand.throughput(),
  ]);
  const byQueue = countBy(stats, (stat) => stat.queue);
  for (const queue of paused) if (!byQueue.has(queue)) byQueue.set(queue, zeroCounts());
  const byTask = countBy(stats, (stat) => stat.task);
  const totals = zeroCounts();
  for (const stat of stats) {
    totals[stat.state] += stat.count;
    totals.total += stat.count;
  }
  const jobsLink = (query: string) => `${context.basePath}/jobs${query ? `?${query}` : ''}`;
  const cells = (counts: Counts, filter: string) =>
    STATES.map((state) => {
      const n = counts[state];
      return html`<td class="num ${n > 0 ? `has-${state}` : 'zero'}">
        ${n > 0 ? html`<a href="${jobsLink(`${filter}&state=${state}`)}">${count(n)}</a>` : '0'}
      </td>`;
    });
  const body = html` <h1>Queues</h1>
    <section class="cards" aria-label="Jobs by state">
      ${STATES.map(
        (state) =>
          html`<a class="card state-${state}" href="${jobsLink(`state=${state}`)}">
            <span class="card-label">${state}</span><span class="card-value">${count(totals[state])}</span></a
          >`,
      )}
    </section>
    <section class="panel">
      <h2>Throughput</h2>
      ${throughputChart(throughput)}
    </section>
    <section class="panel">
      <h2>Queues</h2>
      ${
        byQueue.size === 0
          ? html`<p class="empty">No jobs yet. A queue appears with its first job.</p>`
          : html`<table class="grid">
              <thead>
                <tr>
                  <th>Queue</th>
                  ${STATES.map((state) => html`<th class="num">${state}</th>`)}
                  <th class="num">total</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${[...byQueue].map(([queue, counts]) => {
                  const isPaused = paused.includes(queue);
                  const filter = `queue=${segment(queue)}`;
                  return html`<tr>
                    <th scope="row">
                      <a href="${jobsLink(filter)}">${queue}</a
                      >${isPaused ? html` <span class="badge paused">paused</span>` : ''}
                    </th>
                    ${cells(counts, filter)}
                    <td class="num">${count(counts.total)}</td>
                    <td class="actions">
                      ${
                        isPaused
                          ? actionButton(context, `/queues/${segment(queue)}/resume`, 'Resume', {
                              kind: 'primary',
                            })
                          : actionButton(context, `/queues/${segment(queue)}/pause`, 'Pause', {
                              confirm: `Pause queue "${queue}"? Workers stop taking its jobs until it is resumed.`,
                            })
                      }
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
    </section>
    <section class="panel">
      <h2>Tasks</h2>
      ${
        byTask.size === 0
          ? html`<p class="empty">No jobs yet.</p>`
          : html`<table class="grid">
              <thead>
                <tr>
                  <th>Task</th>
                  ${STATES.map((state) => html`<th class="num">${state}</th>`)}
                  <th class="num">total</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${[...byTask].map(([task, counts]) => {
                  const filter = `task=${segment(task)}`;
                  return html`<tr>
                    <th scope="row"><a href="${jobsLink(filter)}">${task}</a></th>
                    ${cells(counts, filter)}
                    <td class="num">${count(counts.total)}</td>
                    <td class="actions">
                      ${
                        counts.failed > 0
                          ? actionButton(
                              context,
                              `/tasks/${segment(task)}/retry-failed`,
                              `Retry ${count(counts.failed)} failed`,
                              {
                                confirm: `Retry every failed job of "${task}" (${count(counts.failed)})?`,
                              },
                            )
                          : ''
                      }
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
    </section>`;
  return page(context, 'queues', 'Queues', body);
}
