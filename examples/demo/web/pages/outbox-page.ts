/** The Outbox: what the demo's mail server accepted, and the switch that makes it refuse deliveries. */
import { html } from 'hono/html';
import { FAILURE_RATES, type FailureRate, type ReceivedMessage } from '../../mail/outbox-server.ts';
import { formatTime } from './format.ts';
import type { Html } from './layout.ts';

export interface OutboxPageData {
  smtpPort: number;
  failureRate: FailureRate;
  counts: { accepted: number; refused: number };
  messages: readonly ReceivedMessage[];
}

const RATE_LABELS: Record<FailureRate, string> = {
  0: 'Deliver every message',
  0.5: 'Fail 50% of deliveries (every other one answers 451, try again later)',
  1: 'Fail every delivery (the email fails after its 6 attempts)',
};

export function outboxPage(data: OutboxPageData): Html {
  return html`<h1>Outbox</h1>
    <p class="lead">
      The messages the demo's own mail server (SMTP on 127.0.0.1:${data.smtpPort}) accepted. It takes a moment
      to answer, like a real provider, and refuses deliveries on purpose when the switch says so.
    </p>
    <form class="card switch" method="post" action="/outbox/failure-rate">
      <fieldset>
        <legend>Mail server failures</legend>
        ${FAILURE_RATES.map(
          (rate) =>
            html`<label class="choice"
              ><input
                type="radio"
                name="rate"
                value="${rate}"
                ${rate === data.failureRate ? html`checked` : ''}
              />
              ${RATE_LABELS[rate]}</label
            >`,
        )}
      </fieldset>
      <button type="submit">Apply</button>
    </form>
    <section data-live-section="outbox">
      <p class="counts">
        <span><strong data-count="accepted">${data.counts.accepted}</strong> accepted</span>
        <span><strong data-count="refused">${data.counts.refused}</strong> refused</span>
      </p>
      ${
        data.messages.length === 0
          ? html`<p class="muted">No message yet: sign up on the first page.</p>`
          : html`<ol class="messages">
              ${data.messages.map(
                (message) =>
                  html`<li class="message card">
                    <div class="message-head">
                      <strong class="subject">${message.subject}</strong>
                      <time datetime="${message.receivedAt.toISOString()}"
                        >${formatTime(message.receivedAt)}</time
                      >
                    </div>
                    <div class="muted">
                      From ${message.from} to <span class="recipient">${message.to}</span>
                    </div>
                    <pre>${message.text}</pre>
                  </li>`,
              )}
            </ol>`
      }
    </section>`;
}
