import type { JobContext, Logger } from '../app/task.ts';
import type { Backend, JobRecord } from '../storage/backend.ts';
import type { ClaimGroup } from './claim-groups.ts';
import type { ClaimLane } from './claim-lane.ts';
import { jobLogger } from './job-logger.ts';
import { ProgressReporter } from './progress-reporter.ts';

/** What every attempt of one worker shares. */
export interface AttemptServices {
  readonly backend: Backend;
  readonly logger: Logger;
  readonly progressIntervalMs: number;
}

/**
 * One job a worker runs, and the context its handler gets. It is one object
 * because a worker may start tens of thousands of jobs a second: the abort
 * controller, the job's logger and its progress reporter are built only when
 * a handler (or a timeout, or a cancel) first needs them.
 */
export class RunningAttempt implements JobContext {
  /** The job as claimed. */
  readonly record: JobRecord;
  /** The claim group whose slot it holds. */
  readonly group: ClaimGroup;
  /** The worker's claim lane whose slot it holds. */
  readonly lane: ClaimLane;
  readonly #services: AttemptServices;
  #controller: AbortController | undefined;
  #logger: Logger | undefined;
  #progress: ProgressReporter | undefined;
  #report: ((value: unknown) => Promise<void>) | undefined;
  /** Someone asked to cancel it: an attempt that then fails ends cancelled. */
  cancelRequested: boolean;
  /** Set when the worker let go of the job (lease lost, handed back): its late outcome is dropped. */
  released = false;

  constructor(job: JobRecord, group: ClaimGroup, lane: ClaimLane, services: AttemptServices) {
    this.record = job;
    this.group = group;
    this.lane = lane;
    this.#services = services;
    this.cancelRequested = job.cancelRequested;
  }

  get jobId(): string {
    return this.record.id;
  }

  get task(): string {
    return this.record.task;
  }

  get queue(): string {
    return this.record.queue;
  }

  get attempt(): number {
    return this.record.attempt;
  }

  get maxAttempts(): number {
    return this.record.maxAttempts;
  }

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  get logger(): Logger {
    return (this.#logger ??= jobLogger(this.#services.logger, this.record));
  }

  /** Aborts the handler's signal (the first reason wins, as with AbortController). */
  abort(reason: Error): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }

  /** A function, not a method: handlers may take it out of the context (`{ progress }`). */
  get progress(): (value: unknown) => Promise<void> {
    return (this.#report ??= async (value) => {
      const { backend, progressIntervalMs } = this.#services;
      this.#progress ??= new ProgressReporter(
        backend,
        this.record.id,
        this.record.leaseToken!,
        progressIntervalMs,
        this.logger,
      );
      this.#progress.report(value);
    });
  }

  /** Writes a progress report still waiting for its turn; called when the attempt ends. */
  flushProgress(): void {
    this.#progress?.flush();
  }
}
