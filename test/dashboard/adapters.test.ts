// The dashboard mounted in each server a web app uses: Node's http, Express, Fastify and Hono, on
// real sockets. Each serves a page, runs an action and keeps the loopback rule.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';

import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import express from 'express';
import Fastify from 'fastify';
import { Hono, type Context } from 'hono';

import type { Dashboard } from '@errand/dashboard';
import { nodeHandler } from '@errand/dashboard/node';

import { dashboardOf, seededApp } from './helpers.ts';

function listening(server: Server, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://${host}:${port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A page, then the retry button's POST, as a browser on this machine sends them. */
async function pageAndAction(
  origin: string,
  dashboard: Dashboard,
  failedId: string,
  check: () => Promise<string | undefined>,
) {
  const page = await fetch(`${origin}/errand/jobs?state=failed`);
  assert.equal(page.status, 200);
  const body = await page.text();
  assert.ok(body.includes(`/errand/jobs/${failedId}"`), 'the failed job is listed');
  const token = /<meta name="errand-csrf" content="([^"]+)"/.exec(body)?.[1];
  assert.ok(token);
  const action = await fetch(`${origin}/errand/actions/jobs/${failedId}/retry`, {
    method: 'POST',
    headers: { 'x-errand-csrf': token, origin, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(action.status, 200, await action.clone().text());
  assert.equal(((await action.json()) as { ok: boolean }).ok, true);
  assert.equal(await check(), 'queued');
  assert.equal(
    (await fetch(`${origin}/errand/assets/style.css`)).headers.get('content-type'),
    'text/css; charset=utf-8',
  );
  assert.equal(dashboard.basePath, '/errand');
}

describe('dashboard adapters', () => {
  it("Node's http server, through nodeHandler", async () => {
    const { app, ids } = await seededApp();
    const dashboard = dashboardOf(app);
    const server = createServer(nodeHandler(dashboard));
    const origin = await listening(server);
    try {
      await pageAndAction(
        origin,
        dashboard,
        ids.failed,
        async () => (await app.job(ids.failed).status())?.state,
      );
    } finally {
      await close(server);
    }
  });

  it('Node http with a token: the ?token= link sets its cookie through the adapter', async () => {
    const { app } = await seededApp();
    const token = 'node-adapter-token-0123456789';
    const server = createServer(nodeHandler(dashboardOf(app, { auth: { token } })));
    const origin = await listening(server);
    try {
      const signIn = await fetch(`${origin}/errand/?token=${token}`, { redirect: 'manual' });
      assert.equal(signIn.status, 303);
      const cookie = signIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      assert.ok(cookie.startsWith('errand_dashboard='));
      assert.equal((await fetch(`${origin}/errand/`, { headers: { cookie } })).status, 200);
      assert.equal((await fetch(`${origin}/errand/`)).status, 401);
    } finally {
      await close(server);
    }
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
  it(
    'Node http on a non-loopback address without auth answers 403',
    { skip: external === undefined ? 'this machine has no non-loopback IPv4 address' : false },
    async () => {
      const { app } = await seededApp();
      const server = createServer(nodeHandler(dashboardOf(app)));
      const origin = await listening(server, external);
      try {
        const response = await fetch(`${origin}/errand/`);
        assert.equal(response.status, 403);
        assert.match(await response.text(), /only on this machine/);
      } finally {
        await close(server);
      }
    },
  );

  it('Express, mounted with app.use under a body parser', async () => {
    const { app, ids } = await seededApp();
    const dashboard = dashboardOf(app);
    const web = express();
    web.use(express.json());
    web.use('/errand', nodeHandler(dashboard));
    const server = createServer(web);
    const origin = await listening(server);
    try {
      await pageAndAction(
        origin,
        dashboard,
        ids.failed,
        async () => (await app.job(ids.failed).status())?.state,
      );
    } finally {
      await close(server);
    }
  });

  it('Fastify, with reply.hijack() and the raw request', async () => {
    const { app, ids } = await seededApp();
    const dashboard = dashboardOf(app);
    const fastify = Fastify();
    const handle = nodeHandler(dashboard);
    const route = (
      request: { raw: Parameters<typeof handle>[0] },
      reply: { hijack(): void; raw: Parameters<typeof handle>[1] },
    ) => {
      reply.hijack();
      handle(request.raw, reply.raw);
    };
    fastify.all('/errand', route);
    fastify.all('/errand/*', route);
    const origin = await fastify.listen({ port: 0, host: '127.0.0.1' });
    try {
      await pageAndAction(
        origin,
        dashboard,
        ids.failed,
        async () => (await app.job(ids.failed).status())?.state,
      );
    } finally {
      await fastify.close();
    }
  });

  it('Hono on @hono/node-server, with the web-standard handler and getConnInfo', async () => {
    const { app, ids } = await seededApp();
    const dashboard = dashboardOf(app);
    const hono = new Hono();
    const route = (c: Context) =>
      dashboard.fetch(c.req.raw, { remoteAddress: getConnInfo(c).remote.address });
    hono.all('/errand', route);
    hono.all('/errand/*', route);
    const server = await new Promise<Server>((resolve) => {
      const started = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(started as Server),
      );
    });
    const { port } = server.address() as AddressInfo;
    try {
      await pageAndAction(
        `http://127.0.0.1:${port}`,
        dashboard,
        ids.failed,
        async () => (await app.job(ids.failed).status())?.state,
      );
    } finally {
      await close(server);
    }
  });
});
