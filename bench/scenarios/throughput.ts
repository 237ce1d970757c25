/**
 * 2, 4 and 5. Processing throughput and the worker's cost: the bench fills a namespace (untimed),
 * then one or more worker processes, connected and ready, are told to go at once. Timed from the
 * first worker's start until the library reports the N-th job done; CPU is the workers' over that
 * window, peak RSS the largest worker process's.
 *
 * The scale variants leave jobs behind: `waiting` jobs queued (1,000,000) of which the worker runs
 * N, or `delayed` jobs due in an hour beside the N due ones. For errand targets the worker also
 * times each claim round trip (the backend's claim, wrapped).
 *
 * A memory store lives in one process, so there the worker process fills it itself before it is
 * ready, and two processes cannot share it.
 */
import { TargetProcess } from '../child.ts';
import { serverCpuSeconds } from '../server-cpu.ts';
import type { Target } from '../targets.ts';
import { withNamespaces, type BenchContext } from './context.ts';

export interface DrainOptions {
  /** Jobs the workers must finish. */
  jobs: number;
  concurrency: number;
  processes: number;
  /** Jobs queued in all (>= jobs); the workers run `jobs` of them. (Default: jobs) */
  waiting?: number;
  /** Jobs scheduled an hour ahead, beside the due ones. (Default: 0) */
  delayed?: number;
  /**
   * Stop after this long if the N-th job is not done yet, and take the rate so far: a library that
   * runs a few hundred jobs a second here would take most of the bench's time. (Default: none)
   */
  maxMs?: number;
  /** Write a CPU profile of the (single) worker process's timed window to this file. */
  profileFile?: string;
  /** An already filled namespace to drain (the scale scenario shares one 1M fill between variants). */
  namespace?: string;
}

export interface DrainResult {
  jobsPerSecond: number;
  cpuSecondsPer1000Jobs: number;
  maxRssKb: number;
  /** The database server's CPU over the same window (PostgreSQL, Redis), per 1,000 jobs. */
  serverCpuSecondsPer1000Jobs: number;
  /** errand only: each claim's round trip, ms. */
  claimsMs: number[];
  /** Stopped at `maxMs` before the N-th job: the rate is over the jobs done by then. */
  capped: boolean;
}

export async function measureDrain(
  context: BenchContext,
  target: Target,
  options: DrainOptions,
): Promise<DrainResult> {
  if (options.namespace) return drain(context, target, options, options.namespace);
  return withNamespaces(context, target, 1, async ([namespace]) => {
    if (!target.sharedProcess) {
      await context.fill(target, namespace!, options.waiting ?? options.jobs, options.delayed ?? 0);
    }
    return drain(context, target, options, namespace!);
  });
}

const SERVER_PROCESS = { postgres: 'postgres', redis: 'redis-server' } as const satisfies Partial<
  Record<Target['backend'], string>
>;

async function drain(
  context: BenchContext,
  target: Target,
  options: DrainOptions,
  namespace: string,
): Promise<DrainResult> {
  const { jobs, concurrency, processes } = options;
  const waiting = options.waiting ?? jobs;
  const partial = waiting > jobs;
  if (target.sharedProcess && processes > 1) throw new Error(`${target.name} cannot be shared by processes`);
  const workers = Array.from(
    { length: processes },
    () =>
      new TargetProcess(
        {
          mode: 'drain',
          spec: target.spec(namespace),
          concurrency,
          ...(target.sharedProcess && { produce: { jobs: waiting, delayed: options.delayed ?? 0 } }),
          ...(processes === 1 && { countTo: jobs }),
          delayed: options.delayed ?? 0,
          ...(options.profileFile && { profileFile: options.profileFile }),
        },
        { node: context.nodes[target.node], timeoutMs: context.timeoutMs + waiting / 5 },
      ),
  );
  try {
    const progress = workers.map(() => ({ count: 0, lastAt: 0, cpuMs: 0 }));
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    let doneAt = 0;
    let doneCount = 0;
    let cpuMs = 0;
    const finish = () => {
      doneAt = Math.max(...progress.map((p) => p.lastAt));
      doneCount = Math.min(
        jobs,
        progress.reduce((sum, p) => sum + p.count, 0),
      );
      cpuMs = progress.reduce((sum, p) => sum + p.cpuMs, 0);
      resolveDone();
    };
    workers.forEach((worker, index) => {
      worker.onProgress = (message) => {
        if (doneAt) return;
        progress[index] = message;
        if (progress.reduce((sum, p) => sum + p.count, 0) >= jobs) finish();
      };
    });
    await Promise.all(workers.map((worker) => worker.next('ready')));
    const server =
      target.backend in SERVER_PROCESS
        ? SERVER_PROCESS[target.backend as keyof typeof SERVER_PROCESS]
        : undefined;
    const serverBefore = server ? serverCpuSeconds(server) : NaN;
    for (const worker of workers) worker.send({ type: 'go' });
    const cap =
      options.maxMs === undefined ? undefined : setTimeout(() => !doneAt && finish(), options.maxMs);
    await Promise.race([done, ...workers.map((worker) => worker.failure)]);
    clearTimeout(cap);
    const capped = doneCount < jobs;
    const serverSeconds = server ? serverCpuSeconds(server) - serverBefore : NaN;
    for (const worker of workers) worker.send({ type: 'stop', check: !partial && !capped });
    const reports = await Promise.all(workers.map((worker) => worker.next('drained')));
    await Promise.all(workers.map((worker) => worker.exit()));
    // The delayed jobs stay; every due one must be finished (the scale scenario leaves the rest).
    const unfinished = Math.max(...reports.map((report) => report.unfinished));
    if (!partial && !capped && unfinished !== (options.delayed ?? 0)) {
      throw new Error(
        `${target.name}: ${unfinished} jobs unfinished after the drain, expected ${options.delayed ?? 0}`,
      );
    }
    const startedAt = Math.min(...reports.map((report) => report.startedAt));
    return {
      jobsPerSecond: doneCount / ((doneAt - startedAt) / 1_000),
      cpuSecondsPer1000Jobs: cpuMs / doneCount,
      capped,
      maxRssKb: Math.max(...reports.map((report) => report.maxRssKb)),
      serverCpuSecondsPer1000Jobs: serverSeconds / (doneCount / 1_000),
      claimsMs: reports.flatMap((report) => report.claimsMs),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.exit(1_000)));
  }
}
