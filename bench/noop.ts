import type { Task } from 'errand';

/** The task every measurement enqueues and runs: a handler that returns at once. */
export const NOOP_TASK = 'bench-noop';

export interface NoopInput {
  n: number;
}

export function noopInputs(count: number): NoopInput[] {
  return Array.from({ length: count }, (_, n) => ({ n }));
}

/** Enqueues `inputs` with enqueueMany, `batchSize` at a time. */
export async function enqueueInBatches(
  task: Task<NoopInput>,
  inputs: readonly NoopInput[],
  batchSize: number,
): Promise<void> {
  for (let start = 0; start < inputs.length; start += batchSize) {
    await task.enqueueMany(inputs.slice(start, start + batchSize));
  }
}
