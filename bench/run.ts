/**
 * errand's benchmark: `npm run bench [-- options]`.
 *
 *   (a) enqueue rate, one by one and in batches of 1,000
 *   (b) processing throughput of one worker process at concurrency 10 and 100
 *   (c) that worker's peak RSS and CPU seconds per 1,000 jobs
 *   (d) the CPU an idle worker uses in 5 s
 *
 * Each measurement is repeated (3 runs by default) and the median printed, in Markdown tables with
 * the machine and the date. Options:
 *
 *   --quick           5,000 jobs, 1 run (under a minute)
 *   --smoke           200 jobs, 1 run, 1 s idle: only shows that everything still runs (npm test)
 *   --runs N          runs per measurement (default 3)
 *   --jobs N          jobs per measurement (default 20,000)
 *   --backends a,b    memory, sqlite (default both)
 *   --profile         CPU-profile each worker process's timed window into .tmp/bench-profiles
 *                     (summarise one with bench/profile-summary.ts)
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureEnqueue, type EnqueueResult } from './scenarios/enqueue.ts';
import { measureIdle, type IdleResult } from './scenarios/idle.ts';
import { measureThroughput, type ThroughputResult } from './scenarios/throughput.ts';
import { formatMegabytes, formatRate, markdownTable, median } from './stats.ts';
import { makeTargets, TARGET_KEYS, type Target, type TargetKey } from './targets.ts';

const CONCURRENCIES = [10, 100] as const;
const BATCH_SIZE = 1_000;
const GOALS = { sqliteProcessed: 20_000, sqliteBatchEnqueued: 100_000 };

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    jobs: { type: 'string' },
    backends: { type: 'string', default: TARGET_KEYS.join(',') },
    profile: { type: 'boolean', default: false },
  },
});

const jobs = positiveInteger('--jobs', args.jobs) ?? (args.smoke ? 200 : args.quick ? 5_000 : 20_000);
const runs = positiveInteger('--runs', args.runs) ?? (args.smoke || args.quick ? 1 : 3);
const idleMs = args.smoke ? 1_000 : 5_000;
const timeoutMs = 60_000 + jobs * 10;
const keys = args.backends.split(',').map((key) => {
  if (!(TARGET_KEYS as readonly string[]).includes(key)) {
    throw new TypeError(`--backends: unknown backend "${key}"; choose from ${TARGET_KEYS.join(', ')}`);
  }
  return key as TargetKey;
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const profileDir = args.profile ? path.join(root, '.tmp', 'bench-profiles') : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'errand-bench-'));
const allTargets = makeTargets(scratchDir);
const targets = keys.map((key) => allTargets[key]);

interface Samples {
  enqueue: EnqueueResult[];
  throughput: Map<number, ThroughputResult[]>;
  idle: IdleResult[];
}

const startedAt = new Date();
const cpu = os.cpus();
console.log(`# errand benchmark, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
console.log(
  `- machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
);
console.log(
  `- node ${process.version}; load average at start ${os.loadavg()[0]!.toFixed(2)}; command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
);
console.log(
  `- ${jobs.toLocaleString('en-US')} no-op jobs per measurement, ${runs === 1 ? '1 run' : `median of ${runs} runs`}\n`,
);

const samples = new Map<Target, Samples>(
  targets.map((target) => [
    target,
    { enqueue: [], throughput: new Map(CONCURRENCIES.map((c) => [c, []])), idle: [] },
  ]),
);

try {
  // Runs are interleaved across targets, so a slow spell of the machine does not land on one target.
  for (let run = 1; run <= runs; run++) {
    for (const target of targets) {
      const sample = samples.get(target)!;
      const label = `${target.name} run ${run}/${runs}`;
      const enqueue = await measureEnqueue(target, jobs, BATCH_SIZE);
      sample.enqueue.push(enqueue);
      progress(
        `${label}: enqueue ${formatRate(enqueue.oneByOne)} jobs/s one by one, ${formatRate(enqueue.batched)} jobs/s in batches`,
      );
      for (const concurrency of CONCURRENCIES) {
        const result = await measureThroughput(target, {
          jobs,
          concurrency,
          timeoutMs,
          profileDir,
          runLabel: `run${run}`,
        });
        sample.throughput.get(concurrency)!.push(result);
        progress(
          `${label}: processed ${formatRate(result.jobsPerSecond)} jobs/s at concurrency ${concurrency}`,
        );
      }
      const idle = await measureIdle(target, {
        idleMs,
        timeoutMs,
        ...(profileDir && { profileFile: path.join(profileDir, `${target.name}-idle-run${run}.cpuprofile`) }),
      });
      sample.idle.push(idle);
      progress(`${label}: idle worker used ${idle.cpuMs.toFixed(1)} ms of CPU in ${idleMs / 1_000} s`);
    }
  }
} finally {
  rmSync(scratchDir, { recursive: true, force: true });
}

const medianOf = (target: Target, concurrency: number, pick: (result: ThroughputResult) => number) =>
  median(samples.get(target)!.throughput.get(concurrency)!.map(pick));
const at = (concurrency: number) => `c=${concurrency}`;

console.log(`\n## Jobs per second (${runs === 1 ? '1 run' : `median of ${runs} runs`})\n`);
console.log(
  markdownTable(
    [
      'backend',
      'enqueue one by one',
      `enqueue batches of ${BATCH_SIZE.toLocaleString('en-US')}`,
      ...CONCURRENCIES.map((c) => `processed ${at(c)}`),
    ],
    targets.map((target) => {
      const { enqueue } = samples.get(target)!;
      return [
        target.name,
        formatRate(median(enqueue.map((e) => e.oneByOne))),
        formatRate(median(enqueue.map((e) => e.batched))),
        ...CONCURRENCIES.map((c) => formatRate(medianOf(target, c, (r) => r.jobsPerSecond))),
      ];
    }),
  ),
);

console.log(`\n## The worker process (${runs === 1 ? '1 run' : `median of ${runs} runs`})\n`);
console.log(
  markdownTable(
    [
      'backend',
      ...CONCURRENCIES.map((c) => `peak RSS ${at(c)}`),
      ...CONCURRENCIES.map((c) => `CPU s per 1,000 jobs ${at(c)}`),
      'peak RSS at rest',
      `idle CPU ms in ${idleMs / 1_000} s`,
    ],
    targets.map((target) => [
      target.name,
      ...CONCURRENCIES.map((c) => formatMegabytes(medianOf(target, c, (r) => r.maxRssKb))),
      ...CONCURRENCIES.map((c) => medianOf(target, c, (r) => r.cpuSecondsPer1000Jobs).toFixed(3)),
      formatMegabytes(median(samples.get(target)!.idle.map((idle) => idle.maxRssKb))),
      median(samples.get(target)!.idle.map((idle) => idle.cpuMs)).toFixed(1),
    ]),
  ),
);

console.log('\nNotes:');
for (const target of targets) {
  console.log(
    target.sharedProcess
      ? `- ${target.name}: the producer and the worker share one process (a memory store cannot be shared between processes); the jobs are enqueued before the clock starts.`
      : `- ${target.name}: the bench fills the store, then one worker runs in its own child process.`,
  );
}
console.log(
  "- processed: from worker.start() to the last job's succeeded event. CPU: the worker process over that window. " +
    'Peak RSS: the whole worker process, which runs errand from source through tsx (about 35 MB of it); at rest: an idle worker.',
);
if (profileDir) {
  console.log(
    `- CPU profiles of the timed windows: ${path.relative(process.cwd(), profileDir)}/ (summarise one with bench/profile-summary.ts). ` +
      'The profiler samples every 100 µs and slows the worker processes: do not quote these figures.',
  );
}

const sqlite = targets.find((target) => target.name === 'errand-sqlite');
if (sqlite && !args.smoke) {
  const processed = Math.max(...CONCURRENCIES.map((c) => medianOf(sqlite, c, (r) => r.jobsPerSecond)));
  const batched = median(samples.get(sqlite)!.enqueue.map((e) => e.batched));
  const verdict = (value: number, goal: number) =>
    `${formatRate(value)} (goal ${formatRate(goal)}: ${value >= goal ? 'met' : 'MISSED'})`;
  console.log(
    `- errand-sqlite goals: processed ${verdict(processed, GOALS.sqliteProcessed)}; enqueued in batches ${verdict(batched, GOALS.sqliteBatchEnqueued)}.`,
  );
}

function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new TypeError(`${name} must be a whole number >= 1 (got ${value})`);
  return number;
}
