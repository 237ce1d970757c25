/**
 * errand's benchmark, side by side with its peers: `npm run bench [-- options]`. See
 * docs/BENCHMARKS.md for what each scenario measures and the latest figures.
 *
 *   1. enqueue rate, one by one and in batches of 1,000 (the library's bulk API)
 *   2. processing throughput: one worker process at concurrency 10 and 100, two processes at 100
 *   3. enqueue-to-start latency: an idle worker, single jobs offered at a steady rate, p50/p95/p99
 *   4. the worker process's peak RSS and CPU seconds per 1,000 jobs
 *   5. scale: throughput (and errand's claim round trip) with 1,000,000 jobs waiting, and with
 *      10,000 delayed jobs not due
 *
 * Targets are interleaved (each scenario runs every target before the next scenario, and each run
 * starts the rotation one target later), and every figure is the median of the runs. Options:
 *
 *   --quick           2,000 jobs, 1 run, 100 latency jobs, 50,000 waiting (under 2 minutes)
 *   --smoke           200 jobs, errand targets only: shows that the bench still runs (npm test)
 *   --runs N          runs per measurement (default 3)
 *   --jobs N          jobs per measurement (default 20,000)
 *   --waiting N       jobs waiting in the scale scenario (default 1,000,000)
 *   --scale-runs N    runs of the 1M scale scenario, all on one fill (default: as --runs)
 *   --targets a,b     keys of the targets to run (default all; see below)
 *   --scenarios a,b   enqueue, drain, latency, delayed, scale (default all)
 *   --profile         CPU-profile each target's c=100 worker process into .tmp/bench-profiles
 *                     (summarise one with bench/profile-summary.ts; profiled figures are slower)
 *
 * ERRAND_BENCH_DEBUG=1 logs each child process's messages with timestamps.
 *
 * Peers (BullMQ, graphile-worker, pg-boss) are dependencies of bench/ only: `cd bench && npm ci`.
 * Without them the bench runs errand's targets and says so. pg-boss 11+ and graphile-worker 0.18
 * need Node 22: the bench finds one with `npx -y -p node@22` (or takes ERRAND_BENCH_NODE22).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { report, type Figures } from './report.ts';
import type { BenchContext } from './scenarios/context.ts';
import { measureEnqueue } from './scenarios/enqueue.ts';
import { measureLatency } from './scenarios/latency.ts';
import { measureDrain } from './scenarios/throughput.ts';
import { ERRAND_BUILT, TargetProcess } from './child.ts';
import { dropNamespace, makeTargets, POSTGRES_URL, REDIS_URL, type Target } from './targets.ts';
import { canConnect, serverVersions as readServerVersions, settlePostgres } from './servers.ts';

const SCENARIOS = ['enqueue', 'drain', 'latency', 'delayed', 'scale'] as const;
const BATCH_SIZE = 1_000;
const LATENCY_RATE = 200;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    jobs: { type: 'string' },
    waiting: { type: 'string' },
    'scale-runs': { type: 'string' },
    targets: { type: 'string' },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    profile: { type: 'boolean', default: false },
  },
});

const jobs = positiveInteger('--jobs', args.jobs) ?? (args.smoke ? 200 : args.quick ? 2_000 : 20_000);
const runs = positiveInteger('--runs', args.runs) ?? (args.smoke || args.quick ? 1 : 3);
const waiting =
  positiveInteger('--waiting', args.waiting) ?? (args.smoke ? 1_000 : args.quick ? 50_000 : 1_000_000);
const scaleRuns = positiveInteger('--scale-runs', args['scale-runs']) ?? runs;
const latencyJobs = args.smoke ? 20 : args.quick ? 100 : 500;
const delayedJobs = args.smoke ? 100 : args.quick ? 2_000 : 10_000;
const drainCapMs = args.smoke ? 30_000 : args.quick ? 5_000 : 6_000;
const oneByOneMs = args.smoke ? 1_000 : args.quick ? 1_000 : 2_000;
const scenarios = args.scenarios.split(',').map((name) => {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    throw new TypeError(`--scenarios: unknown scenario "${name}"; choose from ${SCENARIOS.join(', ')}`);
  }
  return name as (typeof SCENARIOS)[number];
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const profileDir = args.profile ? path.join(root, '.tmp', 'bench-profiles') : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'errand-bench-'));
const allTargets = makeTargets(scratchDir);
const notes: string[] = [];

// Which targets can run here: their server answers, their library is installed, their Node exists.
const peersInstalled = existsSync(path.join(root, 'bench', 'node_modules', 'bullmq'));
// --smoke runs the two embedded backends unless told otherwise: it only shows that the bench runs.
const wanted =
  args.targets?.split(',') ?? (args.smoke ? ['memory', 'sqlite'] : allTargets.map((target) => target.key));
for (const key of wanted) {
  if (!allTargets.some((target) => target.key === key)) {
    throw new TypeError(
      `--targets: unknown target "${key}"; choose from ${allTargets.map((target) => target.key).join(', ')}`,
    );
  }
}
const reachable = {
  postgres: await canConnect(POSTGRES_URL),
  redis: await canConnect(REDIS_URL),
};
const serverVersions = await readServerVersions(reachable);
const node22 = args.smoke ? undefined : findNode22();
const targets: Target[] = [];
for (const target of allTargets.filter((t) => wanted.includes(t.key))) {
  const skip = (why: string) => notes.push(`${target.name} not measured: ${why}.`);
  if (target.errand && args.smoke) continue;
  if (target.errand && !peersInstalled) {
    skip('the peers are not installed (`cd bench && npm ci`)');
    continue;
  }
  if ((target.backend === 'postgres' || target.backend === 'redis') && !reachable[target.backend]) {
    skip(`no server answers at ${target.backend === 'postgres' ? POSTGRES_URL : REDIS_URL}`);
    continue;
  }
  if (target.node === '22' && !node22 && target.errand) {
    skip('it needs Node 22 (set ERRAND_BENCH_NODE22 or let `npx -y -p node@22` fetch one)');
    continue;
  }
  targets.push(target);
}
if (!peersInstalled && !args.smoke) {
  notes.push('Peers not installed: `cd bench && npm ci` to measure BullMQ, graphile-worker and pg-boss.');
}
const nodes: BenchContext['nodes'] = { bench: process.execPath, '22': node22 ?? process.execPath };
const nodeVersion = (target: Target) => (target.node === '22' && node22 ? version(node22) : process.version);

let namespaces = 0;
const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const context: BenchContext = {
  scratchDir,
  nodes,
  namespace: () => `errand_bench_${runId}_${++namespaces}`,
  timeoutMs: 60_000 + jobs * 10,
  fill: (target, namespace, count, delayed) => fillerOf(target).fill(target, namespace, count, delayed),
};

/** One long-lived filler process per target, whose fills run one after another. */
const fillers = new Map<Target, { fill: BenchContext['fill']; process: TargetProcess }>();
function fillerOf(target: Target) {
  let filler = fillers.get(target);
  if (!filler) {
    const child = new TargetProcess(
      { mode: 'filler' },
      { node: nodes[target.node], timeoutMs: 4 * 3_600_000 },
    );
    let queue = Promise.resolve();
    const fill: BenchContext['fill'] = (_target, namespace, count, delayed) => {
      const done = queue.then(async () => {
        child.send({
          type: 'fill',
          spec: target.spec(namespace),
          jobs: count,
          delayed,
          batchSize: BATCH_SIZE,
        });
        return (await Promise.race([child.next('filled'), child.failure])).ms;
      });
      queue = done.then(
        () => {},
        () => {},
      );
      return done;
    };
    filler = { fill, process: child };
    fillers.set(target, filler);
  }
  return filler;
}

const startedAt = new Date();
const cpu = os.cpus();
const versions = libraryVersions();
console.log(`# errand benchmark, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
console.log(
  `- machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
);
console.log(
  `- command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}; load average at start ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
console.log(`- node: ${targets.map((target) => `${target.name} ${nodeVersion(target)}`).join(', ')}`);
console.log(`- versions: ${versions}`);
console.log(
  `- ${jobs.toLocaleString('en-US')} no-op jobs per measurement, ${runs === 1 ? '1 run' : `median of ${runs} runs`}; scale: ${waiting.toLocaleString('en-US')} waiting, ${scaleRuns === 1 ? '1 run' : `median of ${scaleRuns} runs`}\n`,
);

const figures: Figures = new Map(targets.map((target) => [target, {}]));
const capped = new Set<string>();
const record = (target: Target, key: string, value: unknown) => {
  if ((value as { capped?: boolean }).capped) capped.add(`${target.name} (${key})`);
  const entry = figures.get(target)! as Record<string, unknown[]>;
  (entry[key] ??= []).push(value);
};

/** Runs `measure` for each target in turn (from a rotating start), recording failures as notes. */
async function eachTarget(run: number, name: string, measure: (target: Target) => Promise<void>) {
  progress(
    `${name}, run ${run} (${((Date.now() - startedAt.getTime()) / 1_000).toFixed(0)} s into the bench)`,
  );
  for (let i = 0; i < targets.length; i++) {
    const target = targets[(i + run - 1) % targets.length]!;
    try {
      await measure(target);
    } catch (error) {
      const message = `${target.name}, ${name}, run ${run}: ${(error as Error).message}`;
      notes.push(`FAILED ${message}`);
      progress(`FAILED ${message}`);
    }
  }
}

try {
  for (let run = 1; run <= runs; run++) {
    const label = (target: Target) => `${target.name} run ${run}/${runs}`;
    if (scenarios.includes('enqueue')) {
      await eachTarget(run, 'enqueue', async (target) => {
        if (target.enqueueOf) return;
        const result = await measureEnqueue(context, target, { jobs, batchSize: BATCH_SIZE, oneByOneMs });
        record(target, 'enqueue', result);
        progress(
          `${label(target)}: enqueue ${rate(result.oneByOne)} one by one, ${rate(result.batched)} in batches`,
        );
      });
    }
    if (scenarios.includes('drain')) {
      for (const [concurrency, processes] of [
        [10, 1],
        [100, 1],
        [100, 2],
      ] as const) {
        await eachTarget(run, `drain c=${concurrency} ×${processes}`, async (target) => {
          if (processes > 1 && target.sharedProcess) return;
          const profileFile =
            profileDir && concurrency === 100 && processes === 1
              ? path.join(profileDir, `${target.key}-c100-run${run}.cpuprofile`)
              : undefined;
          const result = await measureDrain(context, target, {
            jobs,
            concurrency,
            processes,
            maxMs: drainCapMs,
            ...(profileFile && { profileFile }),
          });
          record(target, `drain-${concurrency}-${processes}`, result);
          progress(
            `${label(target)}: ${rate(result.jobsPerSecond)} at c=${concurrency} in ${processes} process(es)`,
          );
        });
      }
    }
    if (scenarios.includes('latency')) {
      await eachTarget(run, 'latency', async (target) => {
        const result = await measureLatency(context, target, { jobs: latencyJobs, rate: LATENCY_RATE });
        record(target, 'latency', result);
        progress(
          `${label(target)}: latency p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
        );
      });
    }
    if (scenarios.includes('delayed')) {
      await eachTarget(run, 'delayed', async (target) => {
        const result = await measureDrain(context, target, {
          jobs,
          concurrency: 100,
          processes: 1,
          delayed: delayedJobs,
          maxMs: drainCapMs,
        });
        record(target, 'delayed', result);
        progress(`${label(target)}: ${rate(result.jobsPerSecond)} with ${delayedJobs} delayed jobs not due`);
      });
    }
  }
  if (scenarios.includes('scale')) {
    // One store of `waiting` jobs per library (graphile-worker's two configurations drain the same
    // one in turn, each running `jobs` of it), all filled at once before any is measured, and kept
    // for every run: filling 1,000,000 jobs per library takes about a minute.
    const stores = new Map<Target, string>();
    const ownerOf = (target: Target) =>
      (target.enqueueOf && targets.find((t) => t.name === target.enqueueOf)) || target;
    /** Drains still to come on each store: the last one needs no top-up after it. */
    const drainsLeft = new Map<Target, number>();
    for (const target of targets) {
      if (target.sharedProcess) continue;
      const owner = ownerOf(target);
      if (!stores.has(owner)) stores.set(owner, context.namespace());
      drainsLeft.set(owner, (drainsLeft.get(owner) ?? 0) + scaleRuns);
    }
    try {
      const fillStartedAt = performance.now();
      const fills = await Promise.allSettled(
        [...stores].map(async ([owner, namespace]) => {
          const ms = await context.fill(owner, namespace, waiting, 0);
          progress(
            `${owner.name}: filled ${waiting.toLocaleString('en-US')} jobs in ${(ms / 1_000).toFixed(1)} s`,
          );
        }),
      );
      progress(
        `scale: all stores filled in ${((performance.now() - fillStartedAt) / 1_000).toFixed(1)} s, side by side`,
      );
      for (const fill of fills)
        if (fill.status === 'rejected') notes.push(`FAILED a scale fill: ${String(fill.reason)}`);
      const postgresStores = [...stores].filter(([owner]) => owner.backend === 'postgres');
      if (postgresStores.length > 0) {
        const ms = await settlePostgres(postgresStores.map(([, namespace]) => namespace));
        progress(
          `scale: PostgreSQL stores vacuumed, analyzed and checkpointed in ${(ms / 1_000).toFixed(1)} s`,
        );
      }
      for (let run = 1; run <= scaleRuns; run++) {
        await eachTarget(run, 'scale', async (target) => {
          if (target.sharedProcess) {
            if (run === 1) {
              notes.push(
                `${target.name} scale: not measured with ${waiting.toLocaleString('en-US')} waiting: its store lives in the worker's own process, which would have to fill it first).`,
              );
            }
            return;
          }
          const owner = ownerOf(target);
          const namespace = stores.get(owner)!;
          // The same drain on a store of only the N jobs, just before: the 1M figure is compared with
          // this one, measured minutes apart at most, not with the c=100 runs of earlier minutes.
          const plain = await measureDrain(context, target, {
            jobs,
            concurrency: 100,
            processes: 1,
            maxMs: drainCapMs,
          });
          record(target, 'scale-plain', plain);
          const result = await measureDrain(context, target, {
            jobs,
            concurrency: 100,
            processes: 1,
            waiting,
            namespace,
            maxMs: drainCapMs,
          });
          record(target, 'scale', result);
          progress(
            `${target.name} scale run ${run}/${scaleRuns}: ${rate(result.jobsPerSecond)} with ${waiting.toLocaleString('en-US')} waiting`,
          );
          // Untimed: the next drain of this store again finds `waiting` jobs (the new ones queue last).
          const left = drainsLeft.get(owner)! - 1;
          drainsLeft.set(owner, left);
          if (left > 0) await context.fill(owner, namespace, jobs, 0);
        });
      }
    } finally {
      for (const [owner, namespace] of stores) await dropNamespace(owner, namespace, scratchDir);
    }
  }
} finally {
  for (const { process: filler } of fillers.values()) filler.kill();
  rmSync(scratchDir, { recursive: true, force: true });
}

if (capped.size > 0) {
  notes.push(
    `Stopped after ${drainCapMs / 1_000} s with fewer than ${jobs.toLocaleString('en-US')} jobs done, the rate taken over the jobs done by then: ${[...capped].join(', ')}.`,
  );
}

report(figures, {
  runs,
  scaleRuns,
  jobs,
  waiting,
  delayedJobs,
  latencyJobs,
  latencyRate: LATENCY_RATE,
  batchSize: BATCH_SIZE,
  oneByOneMs,
  smoke: args.smoke,
  notes,
  profileDir: profileDir && path.relative(process.cwd(), profileDir),
  loadAtEnd: os.loadavg(),
  minutes: (Date.now() - startedAt.getTime()) / 60_000,
});

function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

function rate(jobsPerSecond: number): string {
  return `${Math.round(jobsPerSecond).toLocaleString('en-US')} jobs/s`;
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new TypeError(`${name} must be a whole number >= 1 (got ${value})`);
  return number;
}

/** A Node 22 binary: ERRAND_BENCH_NODE22, this node if it is 22 or later, else npx's node@22. */
function findNode22(): string | undefined {
  if (process.env.ERRAND_BENCH_NODE22) return process.env.ERRAND_BENCH_NODE22;
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  try {
    return execFileSync('npx', ['-y', '-p', 'node@22', 'node', '-p', 'process.execPath'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 120_000,
    }).trim();
  } catch {
    return undefined;
  }
}

function version(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

function libraryVersions(): string {
  const read = (file: string) => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  };
  const modules = path.join(root, 'bench', 'node_modules');
  return [
    `errand ${read(path.join(root, 'packages', 'errand', 'package.json'))} ${ERRAND_BUILT ? '(built, dist/)' : '(from source through tsx)'}`,
    `BullMQ ${read(path.join(modules, 'bullmq', 'package.json'))}`,
    `graphile-worker ${read(path.join(modules, 'graphile-worker', 'package.json'))}`,
    `pg-boss ${read(path.join(modules, 'pg-boss', 'package.json'))}`,
    `PostgreSQL ${serverVersions.postgres}`,
    `Redis ${serverVersions.redis}`,
  ].join(', ');
}
