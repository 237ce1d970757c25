/**
 * Shared by the dashboard tests: an app with jobs in every state (a failed one, one whose input is
 * an XSS payload, one named by a foreign writer with HTML in its task and queue), and requests.
 */
import { createErrand, NonRetryableError, type Backend, type Errand } from '@errand/core';
import { memoryBackend } from '@errand/core/memory';
import { createDashboard, type Dashboard, type DashboardOptions } from '@errand/dashboard';

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** An input a careless page would run: it sets window.__xss and breaks out of attributes and tags. */
export const XSS_INPUT = {
  note: '<script>window.__xss = true</script><img src=x onerror="window.__xss=true">',
  html: '<b>bold</b> & "quotes" \'apostrophes\' </pre></main>',
};

/** Names the core refuses, written straight into the store as another client might. */
export const HTML_TASK = '<img src=x onerror="window.__xss=true">task';
export const HTML_QUEUE = '<b>queue</b>';

export interface SeededApp {
  app: Errand;
  backend: Backend;
  /** Controls the `report` task: while true it fails, not retryable. */
  failing: { value: boolean };
  ids: { failed: string; xss: string; htmlNamed: string; queued: string; succeeded: string };
}

/** A memory-backed app with a few jobs run to their end, on the real clock. */
export async function seededApp(): Promise<SeededApp> {
  const backend = memoryBackend();
  const app = createErrand({ backend, logger: silentLogger });
  const failing = { value: true };
  const report = app.task(
    'report',
    (input: { month: string }) => {
      if (failing.value) throw new NonRetryableError(`the ledger for ${input.month} is locked`);
      return { url: `/reports/${input.month}.pdf` };
    },
    { queue: 'reports' },
  );
  const echo = app.task('echo', (input: unknown) => input, { queue: 'default' });
  const failed = await report.enqueue({ month: '2026-10' });
  const succeeded = await echo.enqueue({ hello: 'world' });
  await app.drain();
  const xss = await echo.enqueue(XSS_INPUT, { delay: '1h' });
  const queued = await report.enqueue({ month: '2026-11' }, { delay: '1h' });
  const now = app.clock.now();
  const [htmlNamed] = await backend.insert([
    {
      task: HTML_TASK,
      queue: HTML_QUEUE,
      state: 'scheduled',
      priority: 0,
      payload: JSON.stringify(XSS_INPUT),
      maxAttempts: 1,
      runAt: now + 3_600_000,
      createdAt: now,
    },
  ]);
  return {
    app,
    backend,
    failing,
    ids: {
      failed: failed.id,
      xss: xss.id,
      htmlNamed: htmlNamed!,
      queued: queued.id,
      succeeded: succeeded.id,
    },
  };
}

export function dashboardOf(app: Errand, options: Partial<DashboardOptions> = {}): Dashboard {
  return createDashboard({ errand: app, basePath: '/errand', refreshMs: 0, ...options });
}

export interface Call {
  method?: string;
  headers?: Record<string, string>;
  remoteAddress?: string | undefined;
}

/** A request to the dashboard from this machine (127.0.0.1, Host localhost) unless told otherwise. */
export function call(dashboard: Dashboard, path: string, options: Call = {}): Promise<Response> {
  const request = new Request(`http://localhost:3000${path}`, {
    method: options.method ?? 'GET',
    headers: { host: 'localhost:3000', ...options.headers },
  });
  const remoteAddress = 'remoteAddress' in options ? options.remoteAddress : '127.0.0.1';
  return dashboard.fetch(request, { remoteAddress });
}

/** A POST as the dashboard's own page sends it: the CSRF token and our Origin. */
export function act(
  dashboard: Dashboard,
  path: string,
  csrfToken: string,
  headers: Record<string, string> = {},
) {
  return call(dashboard, path, {
    method: 'POST',
    headers: { 'x-errand-csrf': csrfToken, origin: 'http://localhost:3000', ...headers },
  });
}

/** The CSRF token a page carries. */
export async function csrfTokenOf(dashboard: Dashboard): Promise<string> {
  const page = await (await call(dashboard, '/errand/')).text();
  const token = /<meta name="errand-csrf" content="([^"]+)"/.exec(page)?.[1];
  if (token === undefined) throw new Error('the page carries no CSRF token');
  return token;
}
