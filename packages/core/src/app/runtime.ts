import type { Clock } from '../clock.ts';
import type { DeclaredSchedule } from '../schedules/scheduler.ts';
import type { Backend } from '../storage/backend.ts';
import type { LocalBus } from './local-bus.ts';
import type { Handler, Logger, TaskPolicy } from './task.ts';

/** What an app shares with its tasks, handles and workers. */
export interface Runtime {
  /** The backend, initialised on first use. */
  storage(): Promise<Backend>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly bus: LocalBus;
  readonly maxPayloadBytes: number;
  readonly retentionMs: number;
  /** Every task declared in this process, by name. */
  readonly policies: Map<string, TaskPolicy>;
  /** The handlers this process can run, by task name. */
  readonly handlers: Map<string, Handler<unknown, unknown>>;
  /** Schedules declared in this process, by name. */
  readonly schedules: Map<string, DeclaredSchedule>;
  /** Start-rate limits of queues, by queue name. */
  readonly queueRateLimits: Map<string, { max: number; periodMs: number }>;
}
