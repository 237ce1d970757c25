import { encodeJson } from '../jobs/json-payload.ts';
import { toMilliseconds } from '../jobs/duration.ts';
import type { NewJob } from '../storage/backend.ts';
import { announceJobs } from './announce.ts';
import { validateInput } from './input-validation.ts';
import { JobHandle } from './job-handle.ts';
import type { Runtime } from './runtime.ts';
import { checkPriority, checkQueueName, type EnqueueOptions, type TaskPolicy } from './task.ts';

/**
 * Validates and encodes every input before anything is written, so a bad
 * input refuses the whole batch and leaves the store untouched.
 */
export async function enqueueJobs<Output>(
  runtime: Runtime,
  policy: TaskPolicy,
  inputs: readonly unknown[],
  options: EnqueueOptions = {},
): Promise<JobHandle<Output>[]> {
  const label = `Task "${policy.name}"`;
  const queue = options.queue === undefined ? policy.queue : checkQueueName(options.queue, `${label} queue`);
  const priority =
    options.priority === undefined ? policy.priority : checkPriority(options.priority, `${label} priority`);
  const now = runtime.clock.now();
  const runAt = resolveRunAt(options, now, label);
  const state = runAt > now ? 'scheduled' : 'queued';
  const jobs: NewJob[] = [];
  for (const [index, input] of inputs.entries()) {
    const inputLabel = inputs.length === 1 ? `${label} input` : `${label} input #${index}`;
    // The raw input is stored, not the schema's output (which may not be JSON): the worker validates again.
    if (policy.input) await validateInput(policy.input, input, policy.name);
    jobs.push({
      task: policy.name,
      queue,
      state,
      priority,
      payload: encodeJson(input, inputLabel, { maxBytes: runtime.maxPayloadBytes }),
      maxAttempts: policy.maxAttempts,
      runAt,
      createdAt: now,
    });
  }
  if (jobs.length === 0) return [];
  const backend = await runtime.storage();
  const ids = await backend.insert(jobs, options.tx === undefined ? undefined : { tx: options.tx });
  // Inside a caller's transaction the jobs are not visible until it commits; the backend wakes workers then.
  if (options.tx === undefined && state === 'queued') announceJobs(runtime, backend, [queue]);
  return ids.map((id) => new JobHandle<Output>(id, runtime));
}

function resolveRunAt(options: EnqueueOptions, now: number, label: string): number {
  if (options.runAt !== undefined) {
    const at = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt;
    if (!Number.isFinite(at))
      throw new TypeError(`${label} runAt must be a valid Date or epoch milliseconds`);
    return at;
  }
  return options.delay === undefined ? now : now + toMilliseconds(options.delay, `${label} delay`);
}
