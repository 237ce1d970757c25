/** GET /outbox lists the messages the mail server kept; POST /outbox/failure-rate sets its failure switch. */
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { FAILURE_RATES, type FailureRate, type OutboxServer } from '../../mail/outbox-server.ts';
import type { WebEnv } from '../env.ts';
import { outboxPage } from '../pages/outbox-page.ts';
import { renderPage } from '../render.ts';

export function outboxRoutes(outbox: OutboxServer): Hono<WebEnv> {
  const routes = new Hono<WebEnv>();

  routes.get('/outbox', (c) =>
    renderPage(
      c,
      { title: 'Outbox', path: '/outbox' },
      outboxPage({
        smtpPort: outbox.port,
        failureRate: outbox.failureRate,
        counts: outbox.counts(),
        messages: outbox.messages(),
      }),
    ),
  );

  routes.post('/outbox/failure-rate', csrf(), async (c) => {
    const rate = Number((await c.req.parseBody()).rate);
    if (!FAILURE_RATES.includes(rate as FailureRate)) {
      return c.text(`rate must be one of ${FAILURE_RATES.join(', ')}`, 400);
    }
    outbox.setFailureRate(rate as FailureRate);
    return c.redirect('/outbox', 303);
  });

  return routes;
}
