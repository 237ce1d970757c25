/**
 * Real worker processes on a SQLite file of the test's own: the fixture worker
 * script (short leases) or the `errand worker` CLI, plus the test's side of the
 * same app (to enqueue and read jobs) and the record of executions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job, JobState } from '@errand/core';
import { buildApp, readRecord, type RunEntry } from './fixtures/tasks.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE_ARGS = ['--conditions=errand-source', '--import', 'tsx'];
const WORKER_SCRIPT = 'test/process/fixtures/worker.ts';
const CLI = 'packages/cli/src/main.ts';
const CLI_APP = 'test/process/fixtures/cli-app.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A temp SQLite file, its record file, and the fixture app opened on it in the test process. */
export interface Store {
  url: string;
  recordPath: string;
  app: ReturnType<typeof buildApp>['app'];
  tasks: ReturnType<typeof buildApp>['tasks'];
  /** Every execution recorded so far. */
  runs(): RunEntry[];
  /** A job as stored now; fails if it does not exist. */
  job(id: string): Promise<Job>;
  /** Jobs per state, over all tasks. */
  countByState(): Promise<Partial<Record<JobState, number>>>;
  /** Stops every process started on this store that is still alive, closes the app, deletes the files. */
  dispose(): Promise<void>;
}

/** A started child process and its output so far. */
export interface Proc {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once it exited and its output is read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** Waits until its stderr matches `pattern`; fails if it exits or `timeoutMs` passes first. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function openStore(): Store & {
  startWorker(options?: { lease?: string; concurrency?: number; pollInterval?: string }): Proc;
  startCli(args: readonly string[]): Proc;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'errand-process-'));
  const url = `sqlite:${path.join(dir, 'jobs.db')}`;
  const recordPath = path.join(dir, 'runs.jsonl');
  const { app, tasks } = buildApp({ url, record: recordPath, logger: silent });
  const env = { ...process.env, ERRAND_URL: url, ERRAND_TEST_RECORD: recordPath, ERRAND_DEBUG: '' };
  const procs: Proc[] = [];
  const start = (args: string[]): Proc => {
    const proc = watch(spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env }));
    procs.push(proc);
    return proc;
  };
  return {
    url,
    recordPath,
    app,
    tasks,
    runs: () => readRecord(recordPath),
    async job(id) {
      const job = await app.job(id).status();
      if (!job) throw new Error(`job ${id} does not exist`);
      return job;
    },
    async countByState() {
      const counts: Partial<Record<JobState, number>> = {};
      for (const { state, count } of await app.stats()) counts[state] = (counts[state] ?? 0) + count;
      return counts;
    },
    startWorker({ lease = '1s', concurrency = 1, pollInterval = '200ms' } = {}) {
      return start([
        WORKER_SCRIPT,
        '--lease',
        lease,
        '--concurrency',
        String(concurrency),
        '--poll-interval',
        pollInterval,
      ]);
    },
    startCli(args) {
      return start([CLI, 'worker', CLI_APP, ...args]);
    },
    async dispose() {
      for (const proc of procs) {
        if (!proc.alive()) continue;
        proc.kill('SIGKILL');
        await proc.exited;
      }
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function watch(child: ChildProcess): Proc {
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    alive: () => !done && child.exitCode === null && child.signalCode === null,
    kill: (signal) => void child.kill(signal),
    async waitForStderr(pattern, timeoutMs = 15_000) {
      await waitFor(
        `stderr of process ${child.pid} to match ${String(pattern)}`,
        () => {
          if (pattern.test(stderr)) return true;
          if (done) throw new Error(`process ${child.pid} exited first; its stderr:\n${stderr}`);
          return false;
        },
        { timeoutMs },
      );
    },
  };
}

/** Waits until `worker` logged that it started claiming. */
export function ready(worker: Proc): Promise<void> {
  return worker.waitForStderr(/worker \S+ started/);
}

/** Calls `probe` every `everyMs` until it returns true; fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  { timeoutMs = 15_000, everyMs = 10 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The entries of `runs` for one job, in the order they were written. */
export function runsOf(runs: readonly RunEntry[], jobId: string): RunEntry[] {
  return runs.filter((entry) => entry.job === jobId);
}
