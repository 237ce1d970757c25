/**
 * How long the SQLite backend's list() takes for a page of 50 among many jobs, for each kind of
 * filter, on the first page and on a deep one (the cursor near the oldest jobs). The dashboard pages
 * through these; a page should cost the same however many jobs the filter skips.
 *
 *   node --conditions=errand-source --import tsx bench/sqlite-list.ts --file .tmp/list.db [--jobs 1000000]
 *     [--file .tmp/list-old.db --root /path/to/another/errand/checkout ...] [--reps 200] [--pairs N]
 *
 * Each --file is read by the @errand/sqlite of the --root at the same position (this checkout when
 * there are fewer roots), whose init() migrates it to that code's schema: compare two versions on
 * copies of one file. A missing file is created and filled first (untimed; a fixed pseudo-random mix
 * of states and of 8 (queue, task) pairs, one of them rare, or of N pairs with --pairs). The
 * versions take turns call by call, so a busy machine slows them alike; each figure is the median of
 * --reps calls after a warm-up.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Backend, ListFilter } from '@errand/core';
import BetterSqlite3 from 'better-sqlite3';

const { values: args } = parseArgs({
  options: {
    file: { type: 'string', multiple: true },
    jobs: { type: 'string', default: '1000000' },
    root: { type: 'string', multiple: true },
    reps: { type: 'string', default: '200' },
    pairs: { type: 'string' },
  },
});
if (args.file === undefined) throw new TypeError('--file: the database file to read (created if missing)');
const HERE = path.resolve(import.meta.dirname, '..');
const versions = args.file.map((file, n) => ({
  file: path.resolve(file),
  root: path.resolve(args.root?.[n] ?? HERE),
}));
const jobs = Number(args.jobs);
const reps = Number(args.reps);
const manyPairs = args.pairs === undefined ? null : Number(args.pairs);

interface SqlitePackage {
  sqliteBackend: (options: { path: string }) => Backend;
}
async function sqlitePackage(root: string): Promise<SqlitePackage> {
  return (await import(path.join(root, 'packages/sqlite/src/index.ts'))) as SqlitePackage;
}

/**
 * (queue, task, share of all jobs): a task in two queues, and one rare pair; or, with --pairs N, N
 * pairs of equal share over 50 queues, each task in one queue.
 */
const PAIRS: [queue: string, task: string, share: number][] =
  manyPairs === null
    ? [
        ['mail', 'send-email', 0.3],
        ['mail', 'send-digest', 0.1],
        ['media', 'resize-image', 0.2],
        ['media', 'transcode', 0.05],
        ['reports', 'export', 0.05],
        ['default', 'cleanup', 0.25],
        ['default', 'send-email', 0.049],
        ['critical', 'audit', 0.001],
      ]
    : Array.from({ length: manyPairs }, (_, n) => [`queue-${n % 50}`, `task-${n}`, 1 / manyPairs]);
const STATES: [state: string, share: number][] = [
  ['succeeded', 0.7],
  ['failed', 0.05],
  ['cancelled', 0.02],
  ['queued', 0.18],
  ['scheduled', 0.05],
];
const RUNNING = 100;

/** A fixed sequence (mulberry32), so every fill holds the same jobs. */
function random(): () => number {
  let seed = 42;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T extends [string, ...unknown[]]>(choices: T[], share: (choice: T) => number, r: number): T {
  let sum = 0;
  for (const choice of choices) {
    sum += share(choice);
    if (r < sum) return choice;
  }
  return choices.at(-1)!;
}

async function fill(file: string, { sqliteBackend }: SqlitePackage): Promise<void> {
  const backend = sqliteBackend({ path: file });
  await backend.init();
  await backend.close();
  const db = new BetterSqlite3(file);
  const insert = db.prepare(
    `INSERT INTO errand_jobs (task, queue, state, priority, payload, max_attempts, run_at, created_at,
       started_at, finished_at, attempt, lease_token, lease_until, worker_id)
     VALUES (?, ?, ?, 0, '{"n":1}', 3, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const next = random();
  const started = performance.now();
  db.transaction(() => {
    for (let n = 0; n < jobs; n++) {
      const [queue, task] = pick(PAIRS, (pair) => pair[2], next());
      const running = n >= jobs - RUNNING;
      const [state] = running ? ['running'] : pick(STATES, (choice) => choice[1], next());
      const at = 1_700_000_000_000 + n;
      const finished = state === 'succeeded' || state === 'failed' || state === 'cancelled';
      insert.run(
        task,
        queue,
        state,
        state === 'scheduled' ? at + 3_600_000 : at,
        at,
        finished || running ? at : null,
        finished ? at + 1 : null,
        finished || running ? 1 : 0,
        running ? `lease-${n}` : null,
        running ? at + 30_000 : null,
        running ? 'worker' : null,
      );
    }
  })();
  db.close();
  console.log(`filled ${jobs.toLocaleString('en')} jobs in ${Math.round(performance.now() - started)} ms`);
}

const backends: Backend[] = [];
for (const { file, root } of versions) {
  const sqlite = await sqlitePackage(root);
  if (!existsSync(file)) await fill(file, sqlite);
  const backend = sqlite.sqliteBackend({ path: file });
  const started = performance.now();
  await backend.init();
  console.log(`${file} (${root}): init, migrations included, ${Math.round(performance.now() - started)} ms`);
  backends.push(backend);
}

const filters: [name: string, filter: Omit<ListFilter, 'limit' | 'before'>][] =
  manyPairs === null
    ? [
        ['none', {}],
        ['state succeeded', { state: 'succeeded' }],
        ['state failed', { state: 'failed' }],
        ['state queued', { state: 'queued' }],
        ['state scheduled', { state: 'scheduled' }],
        ['state running', { state: 'running' }],
        ['queue mail', { queue: 'mail' }],
        ['queue mail, failed', { queue: 'mail', state: 'failed' }],
        ['queue critical (rare)', { queue: 'critical' }],
        ['task send-email (2 queues)', { task: 'send-email' }],
        ['task send-email, queued', { task: 'send-email', state: 'queued' }],
        ['task audit (rare)', { task: 'audit' }],
        ['task audit, failed (rare)', { task: 'audit', state: 'failed' }],
        ['queue+task default/send-email', { queue: 'default', task: 'send-email' }],
        ['queue+task mail/send-email, succeeded', { queue: 'mail', task: 'send-email', state: 'succeeded' }],
      ]
    : [
        ['none', {}],
        ['state succeeded', { state: 'succeeded' }],
        ['state queued', { state: 'queued' }],
        [`queue queue-7 (${manyPairs / 50} pairs)`, { queue: 'queue-7' }],
        ['queue queue-7, failed', { queue: 'queue-7', state: 'failed' }],
        ['task task-7', { task: 'task-7' }],
        ['queue+task queue-7/task-7, succeeded', { queue: 'queue-7', task: 'task-7', state: 'succeeded' }],
      ];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Each backend's median ms for one filter, calls alternating between backends; and its page size. */
async function time(filter: ListFilter): Promise<string[]> {
  const counts = await Promise.all(backends.map(async (backend) => (await backend.list(filter)).jobs.length));
  for (let n = 0; n < 5; n++) for (const backend of backends) await backend.list(filter);
  const times = backends.map((): number[] => []);
  for (let n = 0; n < reps; n++) {
    for (const [i, backend] of backends.entries()) {
      const started = performance.now();
      await backend.list(filter);
      times[i]!.push(performance.now() - started);
    }
  }
  return times.map((each, i) => `${median(each).toFixed(3)} (${counts[i]})`);
}

const deep = String(Math.floor(jobs / 10));
const columns = versions.map(({ root }) => path.basename(root));
console.log(
  `\n| filter | ${columns.map((name) => `${name}: first page ms (jobs)`).join(' | ')} | ` +
    `${columns.map((name) => `${name}: before id ${deep}`).join(' | ')} |`,
);
console.log(`| --- |${' --: |'.repeat(columns.length * 2)}`);
for (const [name, filter] of filters) {
  const first = await time({ ...filter, limit: 50 });
  const deeper = await time({ ...filter, limit: 50, before: deep });
  console.log(`| ${name} | ${first.join(' | ')} | ${deeper.join(' | ')} |`);
}
for (const backend of backends) await backend.close();
