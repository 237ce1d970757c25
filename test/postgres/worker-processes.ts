/**
 * Worker processes for the PostgreSQL tests (fixtures/worker.ts), and what they print.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = path.join(ROOT, 'test/postgres/fixtures/worker.ts');

export interface StartLine {
  id: string;
  attempt: number;
  /** Wall clock in ms, sub-millisecond precision (performance.timeOrigin + performance.now()). */
  at: number;
}

export interface WorkerProcess {
  pid: number;
  /** `started` lines so far. */
  starts: StartLine[];
  stderr(): string;
  /** Resolves once the worker printed `ready`. */
  ready: Promise<void>;
  /** Calls `listener` for each `started` line from now on. */
  onStart(listener: (line: StartLine) => void): void;
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then the ids it ran (from its `ran` line). */
  stop(): Promise<string[]>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface WorkerArgs {
  url: string;
  schema: string;
  concurrency?: number;
  lease?: string;
  pollInterval?: string;
  quiet?: boolean;
}

export function startWorker(args: WorkerArgs): WorkerProcess {
  const argv = [
    '--conditions=errand-source',
    '--import',
    'tsx',
    WORKER,
    args.url,
    args.schema,
    '--concurrency',
    String(args.concurrency ?? 10),
    '--lease',
    args.lease ?? '30s',
    '--poll-interval',
    args.pollInterval ?? '200ms',
    ...(args.quiet ? ['--quiet'] : []),
  ];
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const starts: StartLine[] = [];
  const listeners: ((line: StartLine) => void)[] = [];
  let stderr = '';
  let ran: string[] | null = null;
  let buffer = '';
  let done = false;
  let onReady: () => void = () => {};
  let onReadyFailed: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onReadyFailed = reject;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line === 'ready') onReady();
      else if (line.startsWith('ran ')) ran = JSON.parse(line.slice(4)) as string[];
      else if (line.startsWith('started ')) {
        const [, id = '', attempt = '', at = ''] = line.split(' ');
        const start = { id, attempt: Number(attempt), at: Number(at) };
        starts.push(start);
        for (const listener of listeners) listener(start);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      onReadyFailed(
        new Error(`worker ${child.pid} exited (${code ?? signal}) before it was ready:\n${stderr}`),
      );
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid!,
    starts,
    stderr: () => stderr,
    ready,
    onStart: (listener) => void listeners.push(listener),
    alive: () => !done,
    kill: (signal) => void child.kill(signal),
    async stop() {
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      if (ran === null)
        throw new Error(`worker ${child.pid} exited (${code ?? signal}) without its report:\n${stderr}`);
      return ran;
    },
    exited,
  };
}

/** Kills whatever is still running; for `finally` blocks. */
export async function killAll(workers: readonly WorkerProcess[]): Promise<void> {
  for (const worker of workers) {
    if (!worker.alive()) continue;
    worker.kill('SIGKILL');
    await worker.exited;
  }
}

/** Calls `probe` every `everyMs` until it returns true; fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  { timeoutMs = 15_000, everyMs = 20 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
