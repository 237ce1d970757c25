/**
 * 1. Enqueue rate: N no-op jobs enqueued one by one (each awaited, as a request handler does) and in
 * batches through the library's bulk API, each on a new, empty namespace, in a process of their own
 * (after an untimed warm-up of 500 jobs). One by one stops early after `oneByOneMs`: on this
 * machine PostgreSQL commits each single job to disk at a few hundred a second, and 20,000 of
 * them for three libraries and three runs would take most of the bench's 15 minutes.
 */
import { TargetProcess } from '../child.ts';
import type { Target } from '../targets.ts';
import { withNamespaces, type BenchContext } from './context.ts';

export interface EnqueueResult {
  /** Jobs per second. */
  oneByOne: number;
  batched: number;
}

export function measureEnqueue(
  context: BenchContext,
  target: Target,
  options: { jobs: number; batchSize: number; oneByOneMs: number },
): Promise<EnqueueResult> {
  return withNamespaces(context, target, 2, async ([one, batch]) => {
    const child = new TargetProcess(
      { mode: 'enqueue', specs: [target.spec(one!), target.spec(batch!)], ...options },
      { node: context.nodes[target.node], timeoutMs: context.timeoutMs },
    );
    const { oneByOne, batched } = await child.next('enqueued');
    await child.exit();
    return { oneByOne, batched };
  });
}
