/**
 * @errand/dashboard: a web dashboard for an errand app, mountable in any server that speaks
 * web-standard Request/Response (Hono, Bun, Deno, Next.js route handlers), with an adapter for
 * Node's http, Express and Fastify in '@errand/dashboard/node'.
 */
export { createDashboard, type Dashboard } from './dashboard.ts';
export type { DashboardAuth, DashboardOptions } from './options.ts';
export type { ClientInfo } from './guard.ts';
export { isLoopbackAddress } from './guard.ts';
