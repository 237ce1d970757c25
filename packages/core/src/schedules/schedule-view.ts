import type { ScheduleRecord } from '../storage/backend.ts';
import { tickSourceFromSpec, type ScheduleTiming } from './schedule-spec.ts';

/** A schedule as errand shows it: its timing, last and next run, and whether code still declares it. */
export interface Schedule {
  name: string;
  task: string;
  timing: ScheduleTiming;
  input: unknown;
  paused: boolean;
  lastRunAt: Date | null;
  /** The next tick, whether or not a worker is up to fire it; null while paused. */
  nextRunAt: Date | null;
  /** When a worker last declared it; a schedule removed from code stops being declared and stops firing. */
  declaredAt: Date;
}

/**
 * A running worker declares its app's schedules again on every heartbeat (a
 * third of its lease: 10 s by default); one not declared for this long has
 * left the code, or no worker that knows it is running, so it does not fire.
 */
export const DECLARED_WINDOW_MS = 2 * 60_000;

/** Whether a worker declared the schedule recently enough (DECLARED_WINDOW_MS) for it to fire. */
export function isDeclared(schedule: Schedule, now: number): boolean {
  return schedule.declaredAt.getTime() >= now - DECLARED_WINDOW_MS;
}

export function scheduleFromRecord(record: ScheduleRecord, now: number): Schedule {
  const source = tickSourceFromSpec(record.spec);
  const next = record.paused ? null : source.next(Math.max(now, record.lastTickAt ?? now));
  return {
    name: record.name,
    task: record.task,
    timing: JSON.parse(record.spec) as ScheduleTiming,
    input: JSON.parse(record.payload) as unknown,
    paused: record.paused,
    lastRunAt: record.lastTickAt === null ? null : new Date(record.lastTickAt),
    nextRunAt: next === null ? null : new Date(next),
    declaredAt: new Date(record.declaredAt),
  };
}
