/**
 * The demo as `npm start` runs it (examples/demo/main.ts: the web process, which spawns its worker),
 * started by a test on a data folder of its own, free ports, and a small, fast export.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = 'examples/demo/main.ts';

export interface DemoSettings {
  /** Where jobs live. (Default: a SQLite file in the demo's temp data folder) */
  errandUrl?: string;
  exportRows: number;
  exportRowsPerSecond: number;
  smtpLatencyMs: number;
}

export interface RunningDemo {
  /** The web app's address, as the demo printed it, without the trailing slash. */
  url: string;
  dataDir: string;
  /** Everything the demo (and its worker) printed so far. */
  output(): string;
  /** Stops it as Ctrl-C would and removes its data folder; fails if it does not exit cleanly. */
  stop(): Promise<void>;
}

export async function startDemo(settings: DemoSettings): Promise<RunningDemo> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'errand-demo-'));
  const child = spawn(process.execPath, ['--conditions=errand-source', '--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      DEMO_DATA_DIR: dataDir,
      DEMO_SMTP_PORT: '0',
      ERRAND_URL: settings.errandUrl ?? `sqlite:${path.join(dataDir, 'jobs.db')}`,
      DEMO_EXPORT_ROWS: String(settings.exportRows),
      DEMO_EXPORT_ROWS_PER_SECOND: String(settings.exportRowsPerSecond),
      DEMO_SMTP_LATENCY_MS: String(settings.smtpLatencyMs),
    },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let closed = false;
  void exited.then(() => (closed = true));

  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /errand demo: (http:\/\/\S+?)\/? /.exec(output)?.[1];
    if (url) break;
    if (closed || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(
        `the demo did not print its URL ${closed ? 'before exiting' : 'within 60 s'}; it printed:\n${output}`,
      );
    }
    await sleep(50);
  }

  return {
    url,
    dataDir,
    output: () => output,
    async stop() {
      try {
        if (!closed) {
          child.kill('SIGINT');
          const code = await Promise.race([exited, sleep(20_000, 'timeout' as const)]);
          if (code === 'timeout') {
            child.kill('SIGKILL');
            throw new Error(`the demo did not stop within 20 s of SIGINT; it printed:\n${output}`);
          }
          if (code !== 0)
            throw new Error(`the demo exited with code ${code} on SIGINT; it printed:\n${output}`);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Calls `probe` until it returns a value other than undefined; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
