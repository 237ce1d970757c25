/**
 * 3. Enqueue-to-start latency: a worker (concurrency 10) idles for a second, then a producer in
 * another process offers N single jobs at a steady rate, each stamped with the time it was offered;
 * the worker's handler records its start minus that stamp. Both processes read the same wall clock
 * (performance.timeOrigin + performance.now()). A memory store cannot be shared: there the worker's
 * own process offers the jobs.
 */
import { TargetProcess } from '../child.ts';
import { percentile } from '../stats.ts';
import type { Target } from '../targets.ts';
import { withNamespaces, type BenchContext } from './context.ts';

export interface LatencyResult {
  p50: number;
  p95: number;
  p99: number;
  /** Jobs offered that never started (within 30 s of the last offer). */
  missing: number;
}

export function measureLatency(
  context: BenchContext,
  target: Target,
  options: { jobs: number; rate: number },
): Promise<LatencyResult> {
  return withNamespaces(context, target, 1, async ([namespace]) => {
    const spec = target.spec(namespace!);
    const node = context.nodes[target.node];
    const timeoutMs = context.timeoutMs + (options.jobs / options.rate) * 1_000;
    const worker = new TargetProcess(
      { mode: 'latency-worker', spec, concurrency: 10, ...options, produceInProcess: target.sharedProcess },
      { node, timeoutMs },
    );
    const producer = target.sharedProcess
      ? undefined
      : new TargetProcess({ mode: 'latency-producer', spec, ...options }, { node, timeoutMs });
    try {
      await Promise.all([worker.next('ready'), producer?.next('ready')]);
      worker.send({ type: 'go' });
      producer?.send({ type: 'go' });
      const { latenciesMs } = await worker.next('latencies');
      if (producer) await producer.next('offered');
      return {
        p50: percentile(latenciesMs, 50),
        p95: percentile(latenciesMs, 95),
        p99: percentile(latenciesMs, 99),
        missing: options.jobs - latenciesMs.length,
      };
    } finally {
      await Promise.all([worker.exit(5_000), producer?.exit(5_000)]);
    }
  });
}
