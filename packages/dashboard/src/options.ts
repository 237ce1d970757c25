import { randomBytes } from 'node:crypto';
import type { Errand } from '@errand/core';

/** Who may use the dashboard beyond this machine. */
export type DashboardAuth = { token: string } | { username: string; password: string };

export interface DashboardOptions {
  /** The app whose jobs the dashboard shows and steers (its backend, its clock). Required. */
  errand: Errand;
  /**
   * Where the dashboard is mounted: every link and form starts with it. (Default: `''`, the root)
   * E.g. `'/errand'` when the app routes `/errand` and `/errand/*` to it.
   */
  basePath?: string;
  /**
   * A bearer token, or a user name and password (HTTP basic auth). Without one, the dashboard
   * answers only requests from loopback addresses (127.0.0.0/8, ::1) with a loopback Host, and 403
   * to anything else. (Default: none)
   */
  auth?: DashboardAuth;
  /**
   * The token every action (POST) must carry, shown in each page. Give the same one to every
   * instance behind a load balancer, so a page from one instance may act through another.
   * (Default: a random one per dashboard)
   */
  csrfToken?: string;
  /** How often an open page refreshes itself, in ms; 0 turns live updates off. (Default: 3000) */
  refreshMs?: number;
}

export interface ResolvedOptions {
  errand: Errand;
  basePath: string;
  auth: DashboardAuth | null;
  csrfToken: string;
  refreshMs: number;
}

/** Checks the options once, at createDashboard(), with errors that say how to fix them. */
export function resolveOptions(options: DashboardOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createDashboard: pass an options object, e.g. createDashboard({ errand: app })');
  }
  const { errand } = options;
  if (errand === null || typeof errand !== 'object' || typeof errand.jobs !== 'function') {
    throw new TypeError('createDashboard: "errand" must be your app, as createErrand() returns it');
  }
  const basePath = options.basePath ?? '';
  if (typeof basePath !== 'string' || !/^(\/[A-Za-z0-9._~-]+)*$/.test(basePath)) {
    throw new TypeError(
      `createDashboard: basePath must be '' or a path like '/errand', with no trailing slash (got ${JSON.stringify(basePath)})`,
    );
  }
  const refreshMs = options.refreshMs ?? 3_000;
  if (!Number.isInteger(refreshMs) || refreshMs < 0) {
    throw new TypeError(
      `createDashboard: refreshMs must be a whole number of ms >= 0 (got ${String(refreshMs)})`,
    );
  }
  const csrfToken = options.csrfToken ?? randomBytes(24).toString('base64url');
  if (typeof csrfToken !== 'string' || csrfToken.length < 16) {
    throw new TypeError('createDashboard: csrfToken must be a string of at least 16 characters');
  }
  return { errand, basePath, auth: resolveAuth(options.auth), csrfToken, refreshMs };
}

function resolveAuth(auth: DashboardAuth | undefined): DashboardAuth | null {
  if (auth === undefined) return null;
  if ('token' in auth) {
    if (typeof auth.token !== 'string' || auth.token.length < 16) {
      throw new TypeError(
        'createDashboard: auth.token must be a string of at least 16 characters (e.g. `openssl rand -hex 24`)',
      );
    }
    return { token: auth.token };
  }
  if (
    auth !== null &&
    typeof auth === 'object' &&
    typeof auth.username === 'string' &&
    auth.username !== '' &&
    !auth.username.includes(':') &&
    typeof auth.password === 'string' &&
    auth.password.length >= 8
  ) {
    return { username: auth.username, password: auth.password };
  }
  throw new TypeError(
    'createDashboard: auth must be { token } (16 characters or more) or { username, password } (a user name without ":", a password of 8 characters or more)',
  );
}
