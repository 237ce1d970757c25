import { AssertionError } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import type { Errand } from '../app/errand.ts';
import type { Task } from '../app/task.ts';
import type { Job } from '../jobs/job.ts';

/** Jobs of `task` waiting to run (queued or scheduled), oldest first. */
export async function enqueuedJobs<Input>(
  app: Errand,
  task: Task<Input, unknown> | string,
): Promise<Job<Input>[]> {
  const name = typeof task === 'string' ? task : task.name;
  const waiting: Job[] = [];
  for (const state of ['queued', 'scheduled'] as const) {
    let before: string | undefined;
    do {
      const page = await app.jobs({ task: name, state, before, limit: 500 });
      waiting.push(...page.jobs);
      before = page.next ?? undefined;
    } while (before);
  }
  return (waiting as Job<Input>[]).sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * Asserts that a job of `task` is waiting to run, with exactly this input when
 * one is given. Returns the matching job.
 */
export async function assertEnqueued<Input>(
  app: Errand,
  task: Task<Input, unknown> | string,
  input?: Input,
): Promise<Job<Input>> {
  const name = typeof task === 'string' ? task : task.name;
  const jobs = await enqueuedJobs(app, task);
  const match = jobs.find((job) => input === undefined || isDeepStrictEqual(job.input, input));
  if (match) return match;
  const seen =
    jobs.length === 0 ? 'none is waiting' : `waiting inputs: ${JSON.stringify(jobs.map((job) => job.input))}`;
  throw new AssertionError({
    message: `expected a job of "${name}"${input === undefined ? '' : ` with input ${JSON.stringify(input)}`} to be enqueued; ${seen}`,
    actual: jobs.map((job) => job.input),
    expected: input,
    operator: 'assertEnqueued',
  });
}

/** Asserts that no job of `task` is waiting to run. */
export async function assertNotEnqueued(app: Errand, task: Task<never, unknown> | string): Promise<void> {
  const jobs = await enqueuedJobs(app, task);
  if (jobs.length > 0) {
    const name = typeof task === 'string' ? task : task.name;
    throw new AssertionError({
      message: `expected no job of "${name}" to be enqueued; found ${jobs.length}: ${JSON.stringify(jobs.map((job) => job.input))}`,
      operator: 'assertNotEnqueued',
    });
  }
}
