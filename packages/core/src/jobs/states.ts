/**
 * The closed vocabulary of job states and the transitions allowed between them.
 * The core, the backends, the CLI and the dashboard all import it from here.
 *
 *   scheduled ──(due)──▶ claimed ─┐
 *   queued ──────────────▶ claimed ┤──▶ running ──▶ succeeded
 *                                  │               ├─▶ scheduled   (retry after a backoff, or a lost lease rescued)
 *                                  │               ├─▶ queued      (handed back at shutdown)
 *                                  │               ├─▶ failed      (attempts exhausted, or not retryable)
 *                                  │               └─▶ cancelled
 *   scheduled | queued ──▶ cancelled
 *   failed | cancelled ──▶ queued  (retried by an operator)
 */
export const JOB_STATES = ['scheduled', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves on its own; only these are pruned by retention. */
export const FINISHED_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

/** States from which a worker may claim a job (a scheduled job only once its runAt has come). */
export const CLAIMABLE_STATES: readonly JobState[] = ['scheduled', 'queued'];

export const ALLOWED_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  scheduled: ['running', 'cancelled'],
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'scheduled', 'queued', 'failed', 'cancelled'],
  succeeded: [],
  failed: ['queued'],
  cancelled: ['queued'],
};

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (JOB_STATES as readonly string[]).includes(value);
}

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.includes(state);
}

export function canTransition(from: JobState, to: JobState): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}
