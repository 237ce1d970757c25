/**
 * (a) Enqueue rate: no-op jobs written one by one (task.enqueue, each awaited, as a request handler
 * does) and in batches (task.enqueueMany), each on a new, empty store. In the bench's own process:
 * enqueuing needs no worker. A short untimed round first warms the JIT up, as in a web server that has
 * been up for a while.
 */
import { consoleLogger, createErrand, type Task } from 'errand';
import { enqueueInBatches, NOOP_TASK, noopInputs, type NoopInput } from '../noop.ts';
import type { Target } from '../targets.ts';

export interface EnqueueResult {
  /** Jobs per second. */
  oneByOne: number;
  batched: number;
}

export async function measureEnqueue(
  target: Target,
  jobs: number,
  batchSize: number,
): Promise<EnqueueResult> {
  const oneByOne = await enqueueRate(target, 'enqueue-one', jobs, async (task, inputs) => {
    for (const input of inputs) await task.enqueue(input);
  });
  const batched = await enqueueRate(target, 'enqueue-batch', jobs, (task, inputs) =>
    enqueueInBatches(task, inputs, batchSize),
  );
  return { oneByOne, batched };
}

async function enqueueRate(
  target: Target,
  label: string,
  jobs: number,
  enqueue: (task: Task<NoopInput>, inputs: NoopInput[]) => Promise<void>,
): Promise<number> {
  const app = createErrand({ backend: target.freshUrl(label), logger: consoleLogger('warn') });
  try {
    // Declared, not implemented: a web server enqueues without loading handlers.
    const task = app.declare<NoopInput>(NOOP_TASK);
    await app.storage();
    const inputs = noopInputs(jobs);
    const startedAt = performance.now();
    await enqueue(task, inputs);
    return jobs / ((performance.now() - startedAt) / 1_000);
  } finally {
    await app.close();
  }
}
