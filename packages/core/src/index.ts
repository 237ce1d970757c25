export { createErrand, Errand, type ErrandOptions } from './app/errand.ts';
export type { Task, TaskOptions, EnqueueOptions, Handler, JobContext, Logger } from './app/task.ts';
export { JobHandle } from './app/job-handle.ts';
export type { Throughput, ThroughputOptions, ThroughputPoint, WorkerInfo } from './app/insights.ts';
export { ALIVE_WINDOW_MS } from './app/insights.ts';
export type { UniqueScope } from './app/enqueue.ts';
export type { ScheduleTiming } from './schedules/schedule-spec.ts';
export { tickSourceFromSpec } from './schedules/schedule-spec.ts';
export { DECLARED_WINDOW_MS, isDeclared, type Schedule } from './schedules/schedule-view.ts';
export { InputValidationError } from './app/input-validation.ts';
export { consoleLogger, type LogLevel } from './app/console-logger.ts';
export {
  Worker,
  type WorkerOptions,
  type StopOptions,
  type WorkerEvents,
  type DrainSummary,
} from './worker/worker.ts';
export type { Job } from './jobs/job.ts';
export { toMilliseconds, type Duration } from './jobs/duration.ts';
export type { Backoff } from './jobs/backoff.ts';
export { PayloadError } from './jobs/json-payload.ts';
export {
  NonRetryableError,
  RetryAfterError,
  JobTimeoutError,
  JobFailedError,
  JobCancelledError,
  ResultTimeoutError,
  type AttemptError,
} from './jobs/task-errors.ts';
export * from './jobs/states.ts';
export { systemClock, type Clock } from './clock.ts';
export { backendFromUrl, DEFAULT_URL } from './storage/backend-url.ts';
export type * from './storage/backend.ts';
export { ConcurrencyLedger } from './storage/concurrency-ledger.ts';
export { writtenFields } from './storage/written-fields.ts';
