import { encodeJson } from '../jobs/json-payload.ts';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';
import { JOB_STATES, type JobState } from '../jobs/states.ts';
import type { Backend, NewJob } from '../storage/backend.ts';
import { announceJobs } from './announce.ts';
import { validateInput } from './input-validation.ts';
import { JobHandle } from './job-handle.ts';
import type { Runtime } from './runtime.ts';
import { checkPriority, checkQueueName, type EnqueueOptions, type TaskPolicy } from './task.ts';

/**
 * How long a unique job keeps its key: while it waits (`'queued'`), while it
 * waits or runs (`'active'`), or for a period from its enqueue whatever
 * happens to it (`{ for: '1h' }`).
 */
export type UniqueScope = 'queued' | 'active' | { for: Duration };

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
  const now = runtime.clock.now();
  const jobs = await prepareJobs(runtime, policy, inputs, options, now);
  if (jobs.length === 0) return [];
  const backend = await runtime.storage();
  const tx = options.tx === undefined ? {} : { tx: options.tx };
  if (options.key !== undefined) {
    if (jobs.length !== 1)
      throw new TypeError(`Task "${policy.name}" key: a unique key is for one job; use enqueue()`);
    const { id, created } = await backend.insertUnique(
      uniqueJob(jobs[0]!, options.key, options.unique, now),
      {
        now,
        ...tx,
      },
    );
    if (created) announceAfterInsert(runtime, backend, jobs, options);
    return [new JobHandle<Output>(id, runtime, { deduplicated: !created })];
  }
  const ids = await backend.insert(jobs, tx);
  announceAfterInsert(runtime, backend, jobs, options);
  return ids.map((id) => new JobHandle<Output>(id, runtime));
}

/** The stored form of a task's jobs: checked, encoded, with the task's settings. Writes nothing. */
export async function prepareJobs(
  runtime: Runtime,
  policy: TaskPolicy,
  inputs: readonly unknown[],
  options: Omit<EnqueueOptions, 'tx'>,
  now: number,
): Promise<NewJob[]> {
  const label = `Task "${policy.name}"`;
  const queue = options.queue === undefined ? policy.queue : checkQueueName(options.queue, `${label} queue`);
  const priority =
    options.priority === undefined ? policy.priority : checkPriority(options.priority, `${label} priority`);
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
      concurrencyKey: policy.concurrencyLimit ? policy.concurrencyLimit.keyOf(input) : null,
    });
  }
  return jobs;
}

function uniqueJob(job: NewJob, key: unknown, scope: UniqueScope = 'active', now: number) {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new TypeError(`Task "${job.task}" key must be a non-empty string of at most 512 characters`);
  }
  const holding: { uniqueStates: readonly JobState[]; uniqueUntil: number | null } =
    scope === 'queued'
      ? { uniqueStates: ['scheduled', 'queued'], uniqueUntil: null }
      : scope === 'active'
        ? { uniqueStates: ['scheduled', 'queued', 'running'], uniqueUntil: null }
        : typeof scope === 'object' && scope !== null && 'for' in scope
          ? {
              uniqueStates: JOB_STATES,
              uniqueUntil: now + toMilliseconds(scope.for, `Task "${job.task}" unique.for`),
            }
          : invalidScope(job.task, scope);
  return { ...job, uniqueKey: `${job.task}:${key}`, ...holding };
}

function invalidScope(task: string, scope: unknown): never {
  throw new TypeError(
    `Task "${task}" unique must be 'queued', 'active' or { for: '1h' } (got ${JSON.stringify(scope)})`,
  );
}

// Inside a caller's transaction the jobs are not visible until it commits; the backend wakes workers then.
function announceAfterInsert(
  runtime: Runtime,
  backend: Backend,
  jobs: NewJob[],
  options: EnqueueOptions,
): void {
  if (options.tx === undefined && jobs[0]!.state === 'queued')
    announceJobs(runtime, backend, [jobs[0]!.queue]);
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
