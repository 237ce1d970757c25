/** The sign-up form: the request enqueues the welcome email and answers at once. */
import { html } from 'hono/html';
import type { JobView } from '../job-view.ts';
import { jobLine } from './job-line.ts';
import type { Html } from './layout.ts';

export interface SignUpPageData {
  /** What the form holds: empty, or what was sent when it is shown again with errors. */
  values: { name: string; email: string };
  /** Messages per field, from the task's input schema. */
  errors: { name?: string; email?: string; form?: string };
  /** The job a sign-up just enqueued, and how long that request took. */
  justQueued: { job: JobView; name: string; responseMs: number } | null;
  recentEmails: JobView[];
}

export function signUpPage(data: SignUpPageData): Html {
  const { values, errors, justQueued } = data;
  return html`<h1>Sign up</h1>
    <p class="lead">
      Signing up sends a welcome email. The request handler only <em>enqueues</em> a
      <code>send-email</code> job and answers at once; a worker process sends the email through SMTP, and
      retries when the mail server refuses it.
    </p>
    ${
      justQueued
        ? html`<section class="notice" role="status">
            <p>
              Thanks, ${justQueued.name}! This page answered in
              <strong class="response-time">${justQueued.responseMs.toFixed(1)} ms</strong>: the request
              enqueued <code>send-email</code> #${justQueued.job.id} and did not wait for the mail server.
            </p>
            <ul class="jobs">
              ${jobLine(justQueued.job)}
            </ul>
          </section>`
        : ''
    }
    <form class="card" method="post" action="/signup" novalidate>
      ${errors.form ? html`<p class="error">${errors.form}</p>` : ''}
      <label
        >Name
        <input name="name" autocomplete="name" value="${values.name}" required maxlength="200" />
        ${errors.name ? html`<span class="error">${errors.name}</span>` : ''}
      </label>
      <label
        >Email
        <input
          name="email"
          type="email"
          autocomplete="email"
          value="${values.email}"
          required
          maxlength="320"
        />
        ${errors.email ? html`<span class="error">${errors.email}</span>` : ''}
      </label>
      <button type="submit">Sign up</button>
    </form>
    <h2>Recent emails</h2>
    ${
      data.recentEmails.length === 0
        ? html`<p class="muted">
            None yet. Sign up above, then watch the email go out here and in the Outbox.
          </p>`
        : html`<ul class="jobs">
            ${data.recentEmails.map((job) => jobLine(job))}
          </ul>`
    }`;
}
