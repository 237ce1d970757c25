/**
 * The demo's settings, read once from the environment. The web process and the worker process
 * both import this file, so they agree on where jobs live and where exports are written.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DemoConfig {
  /** Where the web server listens: DEMO_HOST and PORT; PORT=0 picks a free port. (Default: 127.0.0.1:3000) */
  host: string;
  port: number;
  /** DEMO_DATA_DIR: the SQLite file and the CSV exports. (Default: examples/demo/.data, git-ignored) */
  dataDir: string;
  exportsDir: string;
  /** ERRAND_URL: where jobs live. (Default: `sqlite:<dataDir>/jobs.db`) */
  errandUrl: string;
  /**
   * DEMO_SMTP_PORT: the loopback port of the demo's own mail server; 0 picks a free one, which the
   * web process then hands to the worker in this variable. (Default: 0)
   */
  smtpPort: number;
  /** DEMO_SMTP_LATENCY_MS: how long the mail server takes to accept a message, as a real one does. (Default: 1000) */
  smtpLatencyMs: number;
  /** DEMO_EXPORT_ROWS: the rows of one CSV export. (Default: 500,000, about 48 MB) */
  exportRows: number;
  /**
   * DEMO_EXPORT_ROWS_PER_SECOND: how fast the pretend database yields rows; with the default size an
   * export takes about 100 s, longer than a proxy lets a request run. (Default: 5,000)
   */
  exportRowsPerSecond: number;
}

const DEMO_DIR = path.dirname(fileURLToPath(import.meta.url));

export function readConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const dataDir = path.resolve(env.DEMO_DATA_DIR || path.join(DEMO_DIR, '.data'));
  return {
    host: env.DEMO_HOST || '127.0.0.1',
    port: whole(env, 'PORT', 3000, { min: 0 }),
    dataDir,
    exportsDir: path.join(dataDir, 'exports'),
    errandUrl: env.ERRAND_URL || `sqlite:${path.join(dataDir, 'jobs.db')}`,
    smtpPort: whole(env, 'DEMO_SMTP_PORT', 0, { min: 0 }),
    smtpLatencyMs: whole(env, 'DEMO_SMTP_LATENCY_MS', 1_000, { min: 0 }),
    exportRows: whole(env, 'DEMO_EXPORT_ROWS', 500_000, { min: 1 }),
    exportRowsPerSecond: whole(env, 'DEMO_EXPORT_ROWS_PER_SECOND', 5_000, { min: 1 }),
  };
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, { min }: { min: number }): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number >= ${min} (got ${JSON.stringify(text)})`);
  }
  return value;
}

export const config = readConfig();
