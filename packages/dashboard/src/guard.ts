import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ResolvedOptions } from './options.ts';
import { html } from './html.ts';

/** What the server knows of the connection, which a Request does not carry. */
export interface ClientInfo {
  /** The peer's IP address (Node: `req.socket.remoteAddress`; Hono: `getConnInfo(c).remote.address`). */
  remoteAddress?: string | undefined;
}

const SESSION_COOKIE = 'errand_dashboard';

/** Strings compared in constant time (hashed first, so their lengths leak nothing either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127(\.\d{1,3}){3}$/.test(v4) || address === '::1';
}

/**
 * A Host header naming this machine. Checked too when there is no auth: a web page the user visits
 * could otherwise point its own domain at 127.0.0.1 (DNS rebinding) and read the dashboard.
 */
function isLoopbackHost(host: string | null): boolean {
  if (host === null) return false;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(name)
  );
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/**
 * Who may see the dashboard. Returns null to go on, or the answer to send instead: 403 beyond
 * loopback without auth, 401 without valid credentials, or the redirect that turns a `?token=`
 * link into a session cookie.
 */
export function authorize(
  request: Request,
  url: URL,
  client: ClientInfo,
  options: ResolvedOptions,
): Response | null {
  const { auth } = options;
  if (auth === null) {
    if (isLoopbackAddress(client.remoteAddress) && isLoopbackHost(request.headers.get('host'))) return null;
    return plain(
      403,
      'errand dashboard: without auth it answers only on this machine (a loopback address and Host). ' +
        'Configure auth: { token } or { username, password } to open it to others.',
    );
  }
  const header = request.headers.get('authorization') ?? '';
  if ('token' in auth) {
    const bearer = /^Bearer (.+)$/i.exec(header)?.[1];
    if (bearer !== undefined && sameSecret(bearer, auth.token)) return null;
    const session = sessionValue(auth.token);
    if (sameSecret(readCookie(request, SESSION_COOKIE) ?? '', session)) return null;
    const given = url.searchParams.get('token');
    if (given !== null && request.method === 'GET' && sameSecret(given, auth.token)) {
      url.searchParams.delete('token');
      const secure = url.protocol === 'https:' ? '; Secure' : '';
      return new Response(null, {
        status: 303,
        headers: {
          location: url.pathname + url.search,
          'set-cookie': `${SESSION_COOKIE}=${session}; Path=${options.basePath || '/'}; HttpOnly; SameSite=Strict${secure}`,
          'cache-control': 'no-store',
        },
      });
    }
    return new Response(loginPage(given !== null, options.basePath).text, {
      status: 401,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // Both compared, whatever the first says, so the time taken tells nothing.
    const userOk = sameSecret(user, auth.username);
    const passwordOk = sameSecret(password, auth.password);
    if (colon >= 0 && userOk && passwordOk) return null;
  }
  return plain(401, 'errand dashboard: sign in with the user name and password it was set up with.', {
    'www-authenticate': 'Basic realm="errand dashboard", charset="UTF-8"',
  });
}

/**
 * Cross-site request forgery: an action must come from one of our own pages. It is a POST (the
 * router sends nothing else to an action), carries the page's token in `X-Errand-Csrf` (a page of
 * another site can neither read the token nor set that header without our CORS consent, which we
 * never give), and its Origin names this host. Returns null to go on, or a 403.
 */
export function checkCsrf(request: Request, options: ResolvedOptions): Response | null {
  const token = request.headers.get('x-errand-csrf');
  if (token === null || !sameSecret(token, options.csrfToken)) {
    return plain(403, 'errand dashboard: this action lacks the page token; reload the page and try again.');
  }
  const origin = request.headers.get('origin');
  let originHost: string | null;
  try {
    originHost = origin === null ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost === null || originHost !== request.headers.get('host')) {
    return plain(403, "errand dashboard: actions are accepted only from the dashboard's own pages (Origin).");
  }
  return null;
}

/** The session cookie's value: derived from the token, so a stolen cookie is not the token itself. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('errand-dashboard-session').digest('base64url');
}

function readCookie(request: Request, name: string): string | null {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

function loginPage(wrong: boolean, basePath: string) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>errand dashboard: sign in</title>
        <link rel="stylesheet" href="${basePath}/assets/style.css" />
      </head>
      <body class="login">
        <h1>errand dashboard</h1>
        ${wrong ? html`<p><strong>That token is not the right one.</strong></p>` : ''}
        <form method="get">
          <label
            >Token <input name="token" type="password" autocomplete="current-password" autofocus required
          /></label>
          <button>Open</button>
        </form>
        <p>Or open the link with <code>?token=…</code> the dashboard was set up with.</p>
      </body>
    </html>`;
}
