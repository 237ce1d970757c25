/**
 * The demo app: three tasks a web app might hand to the background.
 * A web server imports this file to enqueue; a worker process imports it to run them.
 */
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createErrand, NonRetryableError } from 'errand';
import { z } from 'zod';

// Jobs live in a SQLite file beside the demo, unless ERRAND_URL names another store.
const dataDir = fileURLToPath(new URL('.data/', import.meta.url));
mkdirSync(dataDir, { recursive: true });
export const app = createErrand({ backend: process.env.ERRAND_URL ?? `sqlite:${dataDir}demo.db` });

/** Sends a welcome email. The input schema is checked at enqueue, so a bad request fails there. */
export const sendWelcomeEmail = app.task(
  'send-welcome-email',
  async ({ to, name }) => {
    await sleep(1_000 + Math.random() * 1_000); // the mail provider's API
    return { to, messageId: `msg-${Math.random().toString(36).slice(2, 10)}`, greeting: `Hi ${name}!` };
  },
  { input: z.object({ to: z.email(), name: z.string().min(1) }) },
);

/** Resizes an avatar through an image service that fails the first time it is asked. */
export const resizeAvatar = app.task(
  'resize-avatar',
  async (input: { userId: number; url: string }, ctx) => {
    if (!/\.(png|jpe?g)$/.test(input.url)) {
      throw new NonRetryableError(`${input.url} is not an image; retrying will not help`);
    }
    await sleep(300);
    if (ctx.attempt === 1) throw new Error('image service answered 503 Service Unavailable');
    return { userId: input.userId, thumbnail: input.url.replace(/(\.\w+)$/, '-128x128$1') };
  },
  { retries: 2, backoff: { type: 'fixed', delay: '1s' } },
);

/** Builds a report in steps, reporting progress that `handle.status()` shows. */
export const buildReport = app.task('build-report', async (input: { month: string }, ctx) => {
  const steps = 5;
  for (let step = 1; step <= steps; step++) {
    await sleep(400); // a slow query
    await ctx.progress(step / steps);
  }
  return { month: input.month, rows: 1_204 };
});
