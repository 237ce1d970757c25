/**
 * Worker processes on one SQLite file: each test gets a temp directory with
 * its own database and record file, spawns fixtures/<name>.ts as real Node
 * processes, and reads what their handlers appended to the record file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'test/process/fixtures');

export interface Store {
  /** ERRAND_URL of the test's SQLite file. */
  url: string;
  /** Where the fixtures append one JSON line per event. */
  recordFile: string;
  remove(): void;
}

export function tempStore(): Store {
  const dir = mkdtempSync(path.join(tmpdir(), 'errand-process-'));
  return {
    url: `sqlite:${path.join(dir, 'jobs.db')}`,
    recordFile: path.join(dir, 'record.jsonl'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fixture process: its output so far, a wait for a line it prints, and its exit. */
export interface Fixture {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has printed `line` on stdout. */
  printed(line: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node fixtures/<name>.ts <args>` with the store in ERRAND_URL and RECORD_FILE. */
export function spawnFixture(name: string, args: readonly string[], store: Store): Fixture {
  const child = spawn(
    process.execPath,
    ['--conditions=errand-source', '--import', 'tsx', path.join(FIXTURES, `${name}.ts`), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ERRAND_URL: store.url, RECORD_FILE: store.recordFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  const wake = () => {
    const lines = stdout.split('\n');
    for (const waiter of [...waiters]) {
      if (!lines.includes(waiter.line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    printed: (line) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ line, resolve });
        wake();
        void exited.then(({ code }) =>
          reject(new Error(`${name} exited (${code}) before printing "${line}":\n${stderr}`)),
        );
      }),
    exited,
  };
}

/** Sends SIGTERM to every fixture and checks each stopped cleanly (exit code 0). */
export async function stopAll(fixtures: readonly Fixture[]): Promise<void> {
  for (const fixture of fixtures) fixture.child.kill('SIGTERM');
  const results = await Promise.all(fixtures.map((fixture) => fixture.exited));
  results.forEach(({ code }, index) => assert.equal(code, 0, fixtures[index]!.stderr()));
}

/** The JSON lines the fixtures appended to the record file. */
export function readRecords<T>(store: Store): T[] {
  if (!existsSync(store.recordFile)) return [];
  return readFileSync(store.recordFile, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** Calls `probe` every `everyMs` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  { timeoutMs = 15_000, everyMs = 50 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
