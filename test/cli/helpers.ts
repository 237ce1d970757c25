/** Runs the real `errand` CLI as a child process, on a SQLite file of the test's own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE = 'test/cli/fixtures/tasks.ts';
const NODE_ARGS = ['--conditions=errand-source', '--import', 'tsx', 'packages/cli/src/main.ts'];

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A temporary directory and the ERRAND_URL of a SQLite file in it; call `remove()` when done. */
export function tempStore(): { url: string; dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'errand-cli-'));
  return {
    url: `sqlite:${path.join(dir, 'jobs.db')}`,
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Starts `errand <args>` in this repository (or in `cwd`); the caller reads its
 * output and waits for it. An env value of undefined removes that variable.
 */
export function spawnErrand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  { cwd = ROOT } = {},
): ChildProcess {
  const nodeArgs =
    cwd === ROOT
      ? NODE_ARGS
      : [
          '--conditions=errand-source',
          '--import',
          import.meta.resolve('tsx'),
          path.join(ROOT, NODE_ARGS[3]!),
        ];
  const childEnv: Record<string, string | undefined> = { ...process.env, ERRAND_DEBUG: '', ...env };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  return spawn(process.execPath, [...nodeArgs, ...args], {
    cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A started child: its output so far, and its whole output once it exits. */
export interface Watched {
  stdout(): string;
  stderr(): string;
  exited: Promise<Result>;
}

/** Collects a child's output as it comes. */
export function watch(child: ChildProcess): Watched {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<Result> {
  return watch(child).exited;
}

/** Runs `errand <args>` to the end. */
export function errand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  options?: { cwd?: string },
): Promise<Result> {
  return finished(spawnErrand(args, env, options));
}

/** Calls `probe` every `everyMs` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  { timeoutMs = 15_000, everyMs = 100 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
