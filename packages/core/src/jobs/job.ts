import type { JobRecord } from '../storage/backend.ts';
import type { JobState } from './states.ts';
import type { AttemptError } from './task-errors.ts';

/** A job as errand shows it to people and programs: JSON fields parsed, times as Dates. */
export interface Job<Input = unknown, Output = unknown> {
  id: string;
  task: string;
  queue: string;
  state: JobState;
  priority: number;
  input: Input;
  /** The handler's return value, once succeeded. */
  result: Output | undefined;
  /** The latest `ctx.progress(...)` report. */
  progress: unknown;
  /** Each failed attempt's error, oldest first. */
  errors: AttemptError[];
  attempt: number;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  workerId: string | null;
  /** A unique job's key as stored, `<task>:<key>` for `enqueue(input, { key })` (keys are per task); else null. */
  uniqueKey: string | null;
  /**
   * The concurrency limit the job counts against, or null: the task name for
   * `concurrencyLimit: n`, `<task>:<key>` for a keyed limit.
   */
  concurrencyKey: string | null;
  /** True while a running job has been asked to cancel and its worker has not ended it yet. */
  cancelRequested: boolean;
}

/**
 * Reads a stored record. Corrupt JSON does not throw here: a person looking
 * at a broken job must still see it, so the raw text is shown instead.
 */
export function jobFromRecord<Input = unknown, Output = unknown>(
  record: JobRecord,
  known: { input?: unknown; result?: unknown } = {},
): Job<Input, Output> {
  return {
    id: record.id,
    task: record.task,
    queue: record.queue,
    state: record.state,
    priority: record.priority,
    input: (known.input !== undefined ? known.input : parseLeniently(record.payload)) as Input,
    result: (known.result !== undefined || record.result === null
      ? known.result
      : parseLeniently(record.result)) as Output | undefined,
    progress: record.progress === null ? undefined : parseLeniently(record.progress),
    errors: readAttemptErrors(record.errors),
    attempt: record.attempt,
    maxAttempts: record.maxAttempts,
    runAt: new Date(record.runAt),
    createdAt: new Date(record.createdAt),
    startedAt: record.startedAt === null ? null : new Date(record.startedAt),
    finishedAt: record.finishedAt === null ? null : new Date(record.finishedAt),
    workerId: record.workerId,
    uniqueKey: record.uniqueKey,
    concurrencyKey: record.concurrencyKey,
    cancelRequested: record.cancelRequested,
  };
}

export function readAttemptErrors(text: string): AttemptError[] {
  const parsed = parseLeniently(text);
  return Array.isArray(parsed) ? (parsed as AttemptError[]) : [];
}

function parseLeniently(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
