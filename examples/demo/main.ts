/**
 * `npm start`: the demo web app and its worker, in one command.
 *
 * This process runs the web app (Hono) and the demo's mail server, and spawns the worker
 * (worker.ts) as a child process. Two processes rather than one, because that is the shape of a
 * real deployment: the web process only declares and enqueues tasks and never loads nodemailer or
 * the CSV code; the worker imports the same declarations and implements them; a busy export in the
 * worker does not slow the pages down. Locally the two share the SQLite file (.data/jobs.db) and
 * the exports folder; elsewhere they share ERRAND_URL (PostgreSQL, Redis) and object storage.
 */
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { config } from './config.ts';
import { startOutboxServer } from './mail/outbox-server.ts';
import { app } from './tasks/declarations.ts';
import { createWebApp } from './web/web-app.ts';

if (config.errandUrl.startsWith('memory:')) {
  throw new Error(
    'ERRAND_URL=memory: keeps jobs inside one process; the demo runs two. Use sqlite:, postgres: or redis:',
  );
}
mkdirSync(config.exportsDir, { recursive: true });
await app.storage(); // creates or migrates errand's tables before either process uses them

const outbox = await startOutboxServer({ port: config.smtpPort, latencyMs: config.smtpLatencyMs });

// fork() runs worker.ts with this process's node flags (tsx, the errand-source condition) and an
// IPC channel, which closes if this process dies, so the worker never outlives it.
const worker = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), {
  env: {
    ...process.env,
    ERRAND_URL: config.errandUrl,
    DEMO_DATA_DIR: config.dataDir,
    DEMO_SMTP_PORT: String(outbox.port),
  },
});

let stopping = false;
worker.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`The worker process exited (${signal ?? `code ${code}`}); stopping the demo.`);
  void shutDown(1);
});

const server = serve(
  { fetch: createWebApp({ config, outbox }).fetch, hostname: config.host, port: config.port },
  (info) => {
    console.log(
      `errand demo: http://${config.host}:${info.port}/  (jobs in ${config.errandUrl}; Ctrl-C stops)`,
    );
  },
);
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `Port ${config.port} is taken; run the demo on another: PORT=${config.port + 1} npm start`
      : `The web server failed: ${error.message}`,
  );
  void shutDown(1);
});

async function shutDown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  if (worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM'); // it lets running jobs finish for a few seconds, then hands them back
    await exited;
  }
  await outbox.close();
  await app.close();
  process.exit(exitCode);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutDown(0));
