import type { NewJob } from '../storage/backend.ts';

/**
 * Rejects what a SQL table's NOT NULL and CHECK constraints would, so code
 * tested against memory does not pass here and fail on a real database.
 * `where` names the call and the record, e.g. "insert: job 2 of 3".
 */
export function assertStorable(job: NewJob, where: string): void {
  for (const field of ['task', 'queue', 'payload'] as const) {
    if (typeof job[field] !== 'string') {
      throw new TypeError(`${where}: "${field}" must be a string (got ${describeValue(job[field])})`);
    }
  }
  for (const field of ['priority', 'maxAttempts', 'runAt', 'createdAt'] as const) {
    if (!Number.isFinite(job[field])) {
      throw new TypeError(`${where}: "${field}" must be a finite number (got ${describeValue(job[field])})`);
    }
  }
  if (job.state !== 'queued' && job.state !== 'scheduled') {
    throw new TypeError(
      `${where}: "state" must be "queued" or "scheduled" (got ${describeValue(job.state)})`,
    );
  }
}

/** Checks a whole batch before any of it is stored: all or none. */
export function assertBatchStorable(jobs: readonly NewJob[], call: string): void {
  jobs.forEach((job, index) => assertStorable(job, `${call}: job ${index + 1} of ${jobs.length}`));
}

function describeValue(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
