import { runAction } from './actions.ts';
import { asset } from './assets.ts';
import { authorize, checkCsrf, type ClientInfo } from './guard.ts';
import { html, type SafeHtml } from './html.ts';
import { page, type PageContext } from './layout.ts';
import { resolveOptions, type DashboardOptions, type ResolvedOptions } from './options.ts';
import { jobPage } from './pages/job.ts';
import { jobsPage, jobsQuery } from './pages/jobs.ts';
import { queuesPage } from './pages/queues.ts';
import { schedulesPage } from './pages/schedules.ts';
import { workersPage } from './pages/workers.ts';

/** The dashboard: one handler on web-standard Request and Response. */
export interface Dashboard {
  /**
   * Answers a request under basePath. `client.remoteAddress` is the peer's address: without auth,
   * only loopback peers are served, so a server that cannot say (leaves it out) gets 403s.
   */
  fetch(request: Request, client?: ClientInfo): Promise<Response>;
  /** Where it is mounted, as given. */
  readonly basePath: string;
}

/**
 * Pages: scripts only from our own /assets (no inline script, so an escaped payload that slipped
 * through could still not run), no framing, nothing sent to other origins.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Creates the dashboard of an app. See DashboardOptions for the settings and their defaults. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const resolved = resolveOptions(options);
  return {
    basePath: resolved.basePath,
    fetch: (request, client = {}) => handle(request, client, resolved),
  };
}

async function handle(request: Request, client: ClientInfo, options: ResolvedOptions): Promise<Response> {
  const url = new URL(request.url);
  const { basePath } = options;
  if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
    return text(404, `errand dashboard: ${url.pathname} is not under ${basePath || '/'}`);
  }
  const rest = url.pathname.slice(basePath.length) || '/';
  let parts: string[];
  try {
    parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return text(400, 'errand dashboard: a malformed path');
  }
  const isRead = request.method === 'GET' || request.method === 'HEAD';
  // Assets hold no data: with auth configured they need no credentials (the sign-in page uses the
  // stylesheet); without auth they stay behind the loopback rule like everything else.
  if (parts[0] === 'assets' && isRead && parts.length === 2) {
    const denied = options.auth === null ? authorize(request, url, client, options) : null;
    if (denied) return denied;
    const found = asset(parts[1]!);
    if (found === null) return text(404, 'errand dashboard: no such asset');
    return new Response(request.method === 'HEAD' ? null : found.body, {
      headers: {
        'content-type': found.type,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    });
  }
  const denied = authorize(request, url, client, options);
  if (denied) return denied;
  try {
    if (request.method === 'POST') {
      if (parts[0] !== 'actions')
        return text(405, 'errand dashboard: only actions take a POST', { allow: 'GET' });
      const forged = checkCsrf(request, options);
      if (forged) return forged;
      const result = (await runAction(options.errand, parts.slice(1), basePath)) ?? {
        status: 404,
        ok: false,
        message: `No such action: ${rest}`,
      };
      const { status, ...body } = result;
      return new Response(JSON.stringify(body), {
        status,
        headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' },
      });
    }
    if (!isRead) return text(405, 'errand dashboard: GET pages, POST actions', { allow: 'GET, HEAD, POST' });
    if (parts[0] === 'actions') return text(405, 'errand dashboard: actions take a POST', { allow: 'POST' });
    const context: PageContext = {
      basePath,
      csrfToken: options.csrfToken,
      refreshMs: options.refreshMs,
      now: options.errand.clock.now(),
    };
    const body = await render(parts, url, context, options);
    return new Response(request.method === 'HEAD' ? null : body.markup.text, {
      status: body.status,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' },
    });
  } catch (error) {
    options.errand.logger.error('errand dashboard: a request failed', {
      path: url.pathname,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return text(500, `errand dashboard: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function render(
  parts: readonly string[],
  url: URL,
  context: PageContext,
  options: ResolvedOptions,
): Promise<{ status: number; markup: SafeHtml }> {
  const { errand } = options;
  const [first, second, ...rest] = parts;
  if (first === undefined) return { status: 200, markup: await queuesPage(errand, context) };
  if (first === 'jobs' && second === undefined) {
    return { status: 200, markup: await jobsPage(errand, context, jobsQuery(url)) };
  }
  if (first === 'jobs' && second !== undefined && rest.length === 0) {
    const markup = await jobPage(errand, context, second);
    if (markup !== null) return { status: 200, markup };
    return notFound(context, html`There is no job ${second}: it may have been deleted or pruned.`);
  }
  if (first === 'schedules' && second === undefined) {
    return { status: 200, markup: await schedulesPage(errand, context) };
  }
  if (first === 'workers' && second === undefined) {
    return { status: 200, markup: await workersPage(errand, context) };
  }
  return notFound(context, html`No page here.`);
}

function notFound(context: PageContext, message: SafeHtml): { status: number; markup: SafeHtml } {
  return {
    status: 404,
    markup: page(
      context,
      'jobs',
      'Not found',
      html`<h1>Not found</h1>
        <p class="empty">${message}</p>`,
    ),
  };
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...headers },
  });
}
