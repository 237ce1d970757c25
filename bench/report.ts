/**
 * The bench's output: Markdown tables of the medians, errand's ratio to each peer on the peer's
 * line, the goals of issue 6 met or missed, and notes.
 */
import { ERRAND_BUILT } from './child.ts';
import type { EnqueueResult } from './scenarios/enqueue.ts';
import type { LatencyResult } from './scenarios/latency.ts';
import type { DrainResult } from './scenarios/throughput.ts';
import { formatMegabytes, formatRate, markdownTable, median, percentile } from './stats.ts';
import type { Target } from './targets.ts';

export interface TargetFigures {
  enqueue?: EnqueueResult[];
  'drain-10-1'?: DrainResult[];
  'drain-100-1'?: DrainResult[];
  'drain-100-2'?: DrainResult[];
  latency?: LatencyResult[];
  delayed?: DrainResult[];
  scale?: DrainResult[];
  /** The plain c=100 drain measured just before each scale drain. */
  'scale-plain'?: DrainResult[];
}
export type Figures = Map<Target, TargetFigures>;

export interface ReportOptions {
  runs: number;
  scaleRuns: number;
  jobs: number;
  waiting: number;
  delayedJobs: number;
  latencyJobs: number;
  latencyRate: number;
  batchSize: number;
  oneByOneMs: number;
  smoke: boolean;
  notes: string[];
  profileDir: string | undefined;
  loadAtEnd: number[];
  minutes: number;
}

type Pick = (figures: TargetFigures) => number | undefined;

export function report(figures: Figures, options: ReportOptions): void {
  const targets = [...figures.keys()];
  const byName = new Map(targets.map((target) => [target.name, target]));
  const medianOf =
    <T>(key: keyof TargetFigures, pick: (result: T) => number): Pick =>
    (f) => {
      const results = f[key] as T[] | undefined;
      return results?.length ? median(results.map(pick)) : undefined;
    };
  const value = (target: Target, pick: Pick) => pick(figures.get(target)!);
  /** errand's figure ÷ this peer's, on the peer's line (blank on errand's own lines). */
  const ratio = (target: Target, pick: Pick) => {
    if (!target.errand) return '';
    const errand = byName.get(target.errand);
    const mine = value(target, pick);
    const theirs = errand && value(errand, pick);
    return mine && theirs ? `${(theirs / mine).toFixed(2)}×` : '–';
  };
  const show = (target: Target, pick: Pick, format: (n: number) => string) => {
    const n = value(target, pick);
    return n === undefined || Number.isNaN(n) ? '–' : format(n);
  };
  const ms = (n: number) => n.toFixed(2);
  const runsLabel = options.runs === 1 ? '1 run' : `median of ${options.runs} runs`;

  const enqueueOne = medianOf<EnqueueResult>('enqueue', (r) => r.oneByOne);
  const enqueueBatch = medianOf<EnqueueResult>('enqueue', (r) => r.batched);
  const enqueueOf =
    (pick: Pick): Pick =>
    (f) =>
      pick(f);
  const enqueueTarget = (target: Target) => (target.enqueueOf && byName.get(target.enqueueOf)) || target;
  const c10 = medianOf<DrainResult>('drain-10-1', (r) => r.jobsPerSecond);
  const c100 = medianOf<DrainResult>('drain-100-1', (r) => r.jobsPerSecond);
  const twoProcesses = medianOf<DrainResult>('drain-100-2', (r) => r.jobsPerSecond);
  const p50 = medianOf<LatencyResult>('latency', (r) => r.p50);
  const p95 = medianOf<LatencyResult>('latency', (r) => r.p95);
  const p99 = medianOf<LatencyResult>('latency', (r) => r.p99);
  const rss = medianOf<DrainResult>('drain-100-1', (r) => r.maxRssKb);
  const cpu10 = medianOf<DrainResult>('drain-10-1', (r) => r.cpuSecondsPer1000Jobs);
  const cpu100 = medianOf<DrainResult>('drain-100-1', (r) => r.cpuSecondsPer1000Jobs);
  const serverCpu100 = medianOf<DrainResult>('drain-100-1', (r) => r.serverCpuSecondsPer1000Jobs);
  const scale = medianOf<DrainResult>('scale', (r) => r.jobsPerSecond);
  const scalePlain = medianOf<DrainResult>('scale-plain', (r) => r.jobsPerSecond);
  const delayed = medianOf<DrainResult>('delayed', (r) => r.jobsPerSecond);
  const of =
    (numerator: Pick, denominator: Pick): Pick =>
    (f) => {
      const a = numerator(f);
      const b = denominator(f);
      return a !== undefined && b ? a / b : undefined;
    };
  const claims =
    (key: keyof TargetFigures, p: number): Pick =>
    (f) => {
      const all = (f[key] as DrainResult[] | undefined)?.flatMap((r) => r.claimsMs) ?? [];
      return all.length ? percentile(all, p) : undefined;
    };
  const claimCell = (target: Target, key: keyof TargetFigures) => {
    const a = value(target, claims(key, 50));
    const b = value(target, claims(key, 99));
    return a === undefined || b === undefined ? '–' : `${ms(a)} / ${ms(b)}`;
  };

  const section = (title: string, header: string[], rows: string[][]) => {
    console.log(`\n## ${title}\n`);
    console.log(markdownTable(header, rows));
  };
  const jobsLabel = options.jobs.toLocaleString('en-US');

  section(
    `Enqueue, jobs/s (${jobsLabel} jobs, ${runsLabel})`,
    [
      'target',
      `one by one (≤ ${options.oneByOneMs / 1_000} s)`,
      'errand ÷',
      `batches of ${options.batchSize.toLocaleString('en-US')}`,
      'errand ÷',
    ],
    targets.map((target) => {
      const source = enqueueTarget(target);
      const same = source !== target ? ` (= ${source.name})` : '';
      return [
        target.name,
        show(source, enqueueOf(enqueueOne), formatRate) + same,
        ratio(source, enqueueOne),
        show(source, enqueueBatch, formatRate),
        ratio(source, enqueueBatch),
      ];
    }),
  );
  section(
    `Processing, jobs/s (${jobsLabel} queued no-op jobs, ${runsLabel})`,
    ['target', '1 process c=10', 'errand ÷', '1 process c=100', 'errand ÷', '2 processes c=100', 'errand ÷'],
    targets.map((target) => [
      target.name,
      show(target, c10, formatRate),
      ratio(target, c10),
      show(target, c100, formatRate),
      ratio(target, c100),
      show(target, twoProcesses, formatRate),
      ratio(target, twoProcesses),
    ]),
  );
  section(
    `Enqueue-to-start latency, ms (idle worker at c=10, ${options.latencyJobs} single jobs at ${options.latencyRate}/s, ${runsLabel}; errand ÷ < 1 is better)`,
    ['target', 'p50', 'p95', 'p99', 'errand ÷ (p50)', 'errand ÷ (p99)'],
    targets.map((target) => [
      target.name,
      show(target, p50, ms),
      show(target, p95, ms),
      show(target, p99, ms),
      ratio(target, p50),
      ratio(target, p99),
    ]),
  );
  section(
    `The worker process (${runsLabel}; errand ÷ < 1 is better)`,
    [
      'target',
      'peak RSS c=100',
      'errand ÷',
      'CPU s per 1,000 jobs c=10',
      'c=100',
      'errand ÷ (c=100)',
      'server CPU s per 1,000 jobs c=100',
      'errand ÷',
    ],
    targets.map((target) => [
      target.name,
      show(target, rss, formatMegabytes),
      ratio(target, rss),
      show(target, cpu10, (n) => n.toFixed(3)),
      show(target, cpu100, (n) => n.toFixed(3)),
      ratio(target, cpu100),
      show(target, serverCpu100, (n) => n.toFixed(3)),
      ratio(target, serverCpu100),
    ]),
  );
  section(
    `Scale: 1 process at c=100 runs ${jobsLabel} jobs (${options.waiting.toLocaleString('en-US')} waiting: ${options.scaleRuns === 1 ? '1 run' : `median of ${options.scaleRuns} runs`}; ${options.delayedJobs.toLocaleString('en-US')} delayed not due beside them: ${runsLabel})`,
    [
      'target',
      'plain, just before',
      `${options.waiting.toLocaleString('en-US')} waiting`,
      '÷ plain',
      'errand ÷',
      `+${options.delayedJobs.toLocaleString('en-US')} delayed`,
      '÷ plain c=100',
      'errand ÷',
      'claim ms p50 / p99: plain',
      'waiting',
      'delayed',
    ],
    targets.map((target) => [
      target.name,
      show(target, scalePlain, formatRate),
      show(target, scale, formatRate),
      show(target, of(scale, scalePlain), (n) => n.toFixed(2)),
      ratio(target, scale),
      show(target, delayed, formatRate),
      show(target, of(delayed, c100), (n) => n.toFixed(2)),
      ratio(target, delayed),
      claimCell(target, 'drain-100-1'),
      claimCell(target, 'scale'),
      claimCell(target, 'delayed'),
    ]),
  );

  if (!options.smoke) {
    const goals: string[] = [];
    const check = (
      label: string,
      actual: number | undefined,
      goal: number | undefined,
      higherIsBetter = true,
    ) => {
      if (actual === undefined || goal === undefined) return;
      const met = higherIsBetter ? actual >= goal : actual <= goal;
      goals.push(`- ${label}: ${met ? 'met' : 'MISSED'}`);
    };
    const get = (name: string, pick: Pick) => {
      const target = byName.get(name);
      return target && value(target, pick);
    };
    const times = (a: number | undefined, b: number | undefined) =>
      a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : '';
    const redis = get('errand-redis', c100);
    const bull = get('BullMQ', c100);
    check(`errand-redis c=100 ≥ 1.5 × BullMQ (${times(redis, bull)})`, redis, bull && 1.5 * bull);
    check(
      `errand-redis p50 ≤ BullMQ's (${get('errand-redis', p50)?.toFixed(2)} vs ${get('BullMQ', p50)?.toFixed(2)} ms)`,
      get('errand-redis', p50),
      get('BullMQ', p50),
      false,
    );
    const pg = get('errand-postgres', c100);
    const fastest = get('graphile-worker fastest', c100);
    const graphileDefault = get('graphile-worker default', c100);
    // The 1.2x goal compares the fastest configurations: errand tuned as graphile-worker fastest is (as
    // many jobs ahead as its local queue, and no finished row kept, as it keeps none). errand untuned,
    // and keeping every job, are printed beside it.
    const tunedLikeFastest = targets.find((target) => target.key === 'postgres-prefetch-lean');
    const tunedRate = tunedLikeFastest && value(tunedLikeFastest, c100);
    if (tunedLikeFastest && tunedRate !== undefined) {
      check(
        `${tunedLikeFastest.name} c=100 ≥ 1.2 × graphile-worker fastest (${times(tunedRate, fastest)})`,
        tunedRate,
        fastest && 1.2 * fastest,
      );
    }
    for (const key of ['postgres', 'postgres-prefetch']) {
      const other = targets.find((target) => target.key === key);
      const rate = other && value(other, c100);
      if (other && rate !== undefined && fastest !== undefined) {
        goals.push(
          `- ${other.name} c=100 ÷ graphile-worker fastest, for comparison: ${times(rate, fastest)}`,
        );
      }
    }
    check(
      `errand-postgres c=100 ≥ 5 × graphile-worker default (${times(pg, graphileDefault)})`,
      pg,
      graphileDefault && 5 * graphileDefault,
    );
    for (const variant of ['default', 'fastest']) {
      check(
        `errand-postgres p50 ≤ graphile-worker ${variant}'s (${get('errand-postgres', p50)?.toFixed(2)} vs ${get(`graphile-worker ${variant}`, p50)?.toFixed(2)} ms)`,
        get('errand-postgres', p50),
        get(`graphile-worker ${variant}`, p50),
        false,
      );
    }
    const sqliteProcessed = get('errand-sqlite', c100);
    const sqliteBatched = get('errand-sqlite', enqueueBatch);
    check(
      `errand-sqlite ≥ 20,000 jobs/s processed at c=100 (${sqliteProcessed && formatRate(sqliteProcessed)})`,
      sqliteProcessed,
      20_000,
    );
    check(
      `errand-sqlite ≥ 100,000 jobs/s enqueued in batches (${sqliteBatched && formatRate(sqliteBatched)})`,
      sqliteBatched,
      100_000,
    );
    for (const target of targets.filter((t) => !t.errand)) {
      const peers = targets.filter((t) => t.errand === target.name);
      const lightest = Math.min(...peers.map((peer) => value(peer, rss) ?? Infinity));
      if (peers.length && Number.isFinite(lightest)) {
        check(
          `${target.name} peak RSS ≤ the lightest peer's (${show(target, rss, formatMegabytes)} vs ${formatMegabytes(lightest)})`,
          value(target, rss),
          lightest,
          false,
        );
      }
      const flat = value(target, of(scale, scalePlain));
      if (flat !== undefined) {
        check(
          `${target.name} with ${options.waiting.toLocaleString('en-US')} waiting within 20% of the plain drain just before (${flat.toFixed(2)})`,
          flat,
          0.8,
        );
      }
    }
    if (goals.length) {
      console.log('\n## Goals (issue 6)\n');
      console.log(goals.join('\n'));
    }
  }

  console.log('\n## Notes\n');
  const lines = [
    "errand ÷: errand's figure on the same backend divided by the peer's, from the same run. Processing: from the first worker's start to the library reporting the last job done (errand `succeeded`, BullMQ `completed`: after the write; graphile-worker `job:success`, pg-boss handler return: just before its batched write).",
    `Peak RSS: the whole worker process, with tsx loading the bench's own files for every library; errand ${ERRAND_BUILT ? 'from its build (dist/), as published' : 'from its sources through tsx (about 35 MB more than built: run npm run build)'}, the peers as published. errand-memory's worker process also holds the jobs it filled (its store cannot be shared); it has no 2-process figure.`,
    'Server CPU: the CPU time of every `postgres` or `redis-server` process over the drain (from /proc), other users of the shared servers included.',
    "Claim ms: errand's claim round trips of 100 jobs (up to concurrency + prefetch with prefetch) as its worker made them (the backend's claim, timed in the worker); the peers' claims are not visible from outside.",
    ...options.notes,
    `Load average at the end: ${options.loadAtEnd.map((load) => load.toFixed(2)).join(' ')}; the run took ${options.minutes.toFixed(1)} minutes.`,
  ];
  if (options.profileDir) {
    lines.push(
      `CPU profiles of each c=100 worker's timed window: ${options.profileDir}/ (summarise one with bench/profile-summary.ts). Profiling slows the workers: do not quote those figures.`,
    );
  }
  console.log(lines.map((line) => `- ${line}`).join('\n'));
}
