/**
 * The demo's tasks as both processes see them: names, input types and policies, without handlers.
 * The web process imports this file to enqueue and never loads nodemailer or the CSV code;
 * the worker process implements each task in implementations.ts.
 */
import { createErrand } from 'errand';
import { z } from 'zod';
import { config } from '../config.ts';

export const app = createErrand({ backend: config.errandUrl });

export interface SentEmail {
  messageId: string;
  /** The mail server's answer, e.g. `250 OK: message queued`. */
  response: string;
}

/** The welcome email of a sign-up. The schema runs at enqueue, so bad form input fails in the request. */
export const sendEmail = app.declare<{ to: string; name: string }, SentEmail>('send-email', {
  queue: 'emails',
  input: z.object({
    to: z.email('is not an email address'),
    name: z.string().trim().min(1, 'is empty').max(80, 'is longer than 80 characters'),
  }),
  // The mail server refuses now and then (the Outbox page's switch): retry soon, then less often.
  retries: 5,
  backoff: { type: 'exponential', base: '1s', factor: 2, max: '30s', jitter: 0.2 },
  timeout: '30s',
});

export interface CsvExport {
  /** The file's name under the exports folder. */
  file: string;
  rows: number;
  bytes: number;
}

/** A large CSV of orders, written row batch by row batch: minutes of work no request could wait for. */
export const exportCsv = app.declare<{ rows: number }, CsvExport>('export-csv', {
  queue: 'exports',
  retries: 2,
  timeout: '15m',
  concurrencyLimit: 2, // two exports at most, across every worker: they are heavy on the database
});

/** Deletes finished exports older than `olderThanHours`; scheduled nightly. */
export const cleanUpExports = app.declare<{ olderThanHours: number }, { removed: number; kept: number }>(
  'clean-up-exports',
  { queue: 'maintenance' },
);

/** Deletes half-written exports that no attempt is writing any more; scheduled every minute. */
export const sweepPartialExports = app.declare<{ idleMinutes: number }, { removed: number }>(
  'sweep-partial-exports',
  { queue: 'maintenance' },
);
