/**
 * Worker processes (fixtures/worker.ts) and a redis-server of a test's own, for the Redis process
 * tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { Redis } from 'ioredis';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));

export interface WorkerProc {
  pid: number;
  /** stdout lines so far. */
  lines(): string[];
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (now or later); fails on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export interface WorkerArgs {
  url: string;
  prefix: string;
  concurrency?: number;
  lease?: string;
  pollInterval?: string;
  env?: Record<string, string>;
}

export function startWorker(args: WorkerArgs): WorkerProc {
  const argv = [
    '--conditions=errand-source',
    '--import',
    'tsx',
    WORKER,
    '--url',
    args.url,
    '--prefix',
    args.prefix,
    '--concurrency',
    String(args.concurrency ?? 10),
    '--lease',
    args.lease ?? '30s',
    '--poll-interval',
    args.pollInterval ?? '200ms',
  ];
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...args.env } });
  return watch(child);
}

function watch(child: ChildProcess): WorkerProc {
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) lines.push(line);
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      alive = false;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  const proc: WorkerProc = {
    pid: child.pid!,
    lines: () => lines,
    stderr: () => stderr,
    exited,
    kill: (signal) => {
      if (alive) child.kill(signal);
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        let checked = 0;
        const check = () => {
          for (; checked < lines.length; checked++) {
            if (pattern.test(lines[checked]!)) {
              done();
              resolve(lines[checked]!);
              return;
            }
          }
          if (!alive) {
            done();
            reject(new Error(`worker ${child.pid} exited before printing ${pattern}; stderr:\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`worker ${child.pid} printed no ${pattern} within ${timeoutMs} ms; stderr:\n${stderr}`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  return proc;
}

/** The ids in `ran <id> <attempt>` lines. */
export function ranIds(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith('ran ')).map((line) => line.split(' ')[1]!);
}

/** Polls `check` every `everyMs` until it returns true; fails after `timeoutMs` with `what`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(everyMs);
  }
}

/** A redis-server of a test's own, on its own port, with AOF on and fsync on every write. */
export interface OwnRedis {
  url: string;
  port: number;
  /** Kills the server with SIGKILL: a crash, no chance to save. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data directory (the AOF is replayed). */
  restart(): Promise<void>;
  /** Stops it and deletes its directory. */
  dispose(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export interface OwnRedisOptions {
  /** (Default: 'noeviction') */
  maxmemoryPolicy?: string;
  /** AOF with fsync on every write; off: no persistence at all. (Default: true) */
  persistence?: boolean;
}

export async function startOwnRedis(options: OwnRedisOptions = {}): Promise<OwnRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'errand-redis-'));
  const port = 6390 + Math.floor(Math.random() * 500);
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const launch = async () => {
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        options.persistence === false ? 'no' : 'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--maxmemory-policy',
        options.maxmemoryPolicy ?? 'noeviction',
      ],
      { stdio: 'ignore' },
    );
    child = server;
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => {}); // Refused until the server listens: expected, and retried below.
    try {
      await until(
        `redis-server on port ${port} answers`,
        async () => {
          if (server.exitCode !== null)
            throw new Error(`redis-server on port ${port} exited (${server.exitCode})`);
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch {
            probe.disconnect();
            return false;
          }
        },
        10_000,
        20,
      );
    } finally {
      probe.disconnect();
    }
  };
  const kill = async (signal: NodeJS.Signals) => {
    const server = child;
    child = null;
    if (server === null || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill(signal);
    await exited;
  };
  await launch();
  return {
    url,
    port,
    crash: () => kill('SIGKILL'),
    restart: launch,
    async dispose() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
