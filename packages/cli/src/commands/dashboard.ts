import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, type DashboardAuth } from '@errand/dashboard';
import { nodeHandler } from '@errand/dashboard/node';
import { Command, InvalidArgumentError } from 'commander';
import { CliError } from '../cli-error.ts';
import { openApp } from '../load-app.ts';
import { print } from '../output.ts';
import { appOption, examples } from './shared.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * `errand dashboard`: serves the web dashboard until SIGTERM or SIGINT. Beyond this machine only
 * with auth, read from the environment (never from the command line, where `ps` shows it).
 */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description(
      'Serves the web dashboard (queues, jobs, schedules, workers; retry, cancel, delete, pause) until SIGTERM or SIGINT. ' +
        'It listens on 127.0.0.1 unless --host says otherwise; a host beyond loopback needs auth: ERRAND_DASHBOARD_TOKEN, ' +
        'or ERRAND_DASHBOARD_USER and ERRAND_DASHBOARD_PASSWORD.',
    )
    .option('--port <port>', 'the port to listen on (0: any free one)', port, 4000)
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .addOption(appOption())
    .addHelpText(
      'after',
      examples(
        'errand dashboard',
        'errand dashboard --port 8080 --app ./src/tasks.ts',
        'ERRAND_DASHBOARD_TOKEN=$(openssl rand -hex 24) errand dashboard --host 0.0.0.0',
      ),
    )
    .action(async (options: { port: number; host: string; app?: string }) => {
      const auth = authFromEnvironment();
      if (auth === undefined && !LOOPBACK_HOSTS.has(options.host) && !options.host.startsWith('127.')) {
        throw new CliError(
          `refusing to serve the dashboard on ${options.host} without auth: anyone who reaches it could retry, ` +
            `cancel and delete jobs. Set ERRAND_DASHBOARD_TOKEN (or ERRAND_DASHBOARD_USER and ` +
            `ERRAND_DASHBOARD_PASSWORD), or listen on 127.0.0.1`,
        );
      }
      const app = await openApp(options);
      try {
        const dashboard = createDashboard({ errand: app, auth });
        const server = createServer(nodeHandler(dashboard));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(options.port, options.host, resolve);
        });
        const { address, port: bound } = server.address() as AddressInfo;
        const shown = address.includes(':') ? `[${address}]` : address;
        const lines = [`errand dashboard on http://${shown}:${bound}/ (${(await app.storage()).kind} store)`];
        if (auth !== undefined) {
          lines.push(
            'token' in auth
              ? 'sign in with the token in ERRAND_DASHBOARD_TOKEN (or open the URL with ?token=<token>)'
              : `sign in as ${auth.username}`,
          );
        }
        // One write, so whoever waits for the URL has the whole message.
        print(...lines);
        await untilStopSignal();
        // Browsers keep connections open (keep-alive, a page refreshing itself): close them too.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      } finally {
        await app.close();
      }
    });
}

function port(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number > 65_535) {
    throw new InvalidArgumentError('Expected a port number from 0 to 65535.');
  }
  return number;
}

function authFromEnvironment(): DashboardAuth | undefined {
  const { ERRAND_DASHBOARD_TOKEN: token, ERRAND_DASHBOARD_USER: username } = process.env;
  const password = process.env.ERRAND_DASHBOARD_PASSWORD;
  if (token) return { token };
  if (username || password) {
    if (!username || !password) {
      throw new CliError('set both ERRAND_DASHBOARD_USER and ERRAND_DASHBOARD_PASSWORD, or neither');
    }
    return { username, password };
  }
  return undefined;
}

function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
}
