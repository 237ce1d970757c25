/**
 * The dashboard in Node's http, Express and Fastify: a `(req, res)` handler that turns the Node
 * request into a web-standard Request, asks the dashboard, and writes its Response.
 *
 *   http:     createServer(nodeHandler(dashboard))            (basePath '' or a prefix it routes)
 *   Express:  app.use('/errand', nodeHandler(dashboard))      (with basePath '/errand')
 *   Fastify:  fastify.all('/errand', h); fastify.all('/errand/*', h), where
 *             const handle = nodeHandler(dashboard);
 *             const h = (request, reply) => { reply.hijack(); handle(request.raw, reply.raw); };
 *
 * The dashboard reads no request body (its actions are named by their path), so a body parser in
 * front of it does no harm.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Dashboard } from './dashboard.ts';

/** Express passes the mounted path's original URL and a `next`; plain Node passes neither. */
type NodeRequest = IncomingMessage & { originalUrl?: string };

export type NodeHandler = (req: NodeRequest, res: ServerResponse, next?: (error?: unknown) => void) => void;

export function nodeHandler(dashboard: Dashboard): NodeHandler {
  return (req, res, next) => {
    answer(dashboard, req, res).catch((error: unknown) => {
      if (next) return next(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('errand dashboard: internal error\n');
    });
  };
}

async function answer(dashboard: Dashboard, req: NodeRequest, res: ServerResponse): Promise<void> {
  const response = await dashboard.fetch(toRequest(req), { remoteAddress: req.socket.remoteAddress });
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  res.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
}

/** The Node request as a Request, without its body (see above). */
export function toRequest(req: NodeRequest): Request {
  const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
  const host = req.headers.host ?? 'localhost';
  const url = `${secure ? 'https' : 'http'}://${host}${req.originalUrl ?? req.url ?? '/'}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else headers.set(name, value);
  }
  return new Request(url, { method: req.method ?? 'GET', headers });
}
