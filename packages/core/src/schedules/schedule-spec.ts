import { Cron } from 'croner';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';

/** When a schedule fires: a cron expression (5 or 6 fields) in a time zone, or a fixed interval. */
export type ScheduleTiming = { cron: string; tz?: string } | { every: Duration };

/** A validated timing that lists its ticks. Intervals tick on multiples of their length since the epoch, so every process agrees. */
export interface TickSource {
  /** The JSON text stored with the schedule. */
  readonly spec: string;
  /** The first tick strictly after `after`, or null if there is none. */
  next(after: number): number | null;
  /** The newest `count` ticks at or before `until`, oldest first. */
  latest(until: number, count: number): number[];
}

/** Refuses a timing with an error that names the schedule and says what is wrong. */
export function tickSource(timing: ScheduleTiming, label: string): TickSource {
  if (timing !== null && typeof timing === 'object' && 'every' in timing) {
    const everyMs = toMilliseconds(timing.every, `${label} every`);
    if (everyMs < 10) throw new TypeError(`${label} every must be at least 10 ms (got ${everyMs})`);
    return {
      spec: JSON.stringify({ every: everyMs }),
      next: (after) => (Math.floor(after / everyMs) + 1) * everyMs,
      latest: (until, count) => {
        const newest = Math.floor(until / everyMs) * everyMs;
        return Array.from({ length: count }, (_, index) => newest - (count - 1 - index) * everyMs);
      },
    };
  }
  if (
    timing === null ||
    typeof timing !== 'object' ||
    typeof (timing as { cron?: unknown }).cron !== 'string'
  ) {
    throw new TypeError(`${label} needs { cron: '0 3 * * *', tz?: 'Europe/Paris' } or { every: '15m' }`);
  }
  const { cron, tz } = timing;
  let pattern: Cron;
  try {
    pattern = new Cron(cron, { timezone: tz, paused: true });
  } catch (error) {
    throw new TypeError(`${label} cron ${JSON.stringify(cron)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (tz !== undefined && !isTimeZone(tz)) {
    throw new TypeError(`${label} tz ${JSON.stringify(tz)} is not an IANA time zone such as 'Europe/Paris'`);
  }
  return {
    spec: JSON.stringify(tz === undefined ? { cron } : { cron, tz }),
    next: (after) => pattern.nextRun(new Date(after))?.getTime() ?? null,
    // previousRuns() looks strictly before its reference; +1 makes `until` itself count.
    latest: (until, count) =>
      pattern
        .previousRuns(count, new Date(until + 1))
        .map((date) => date.getTime())
        .reverse(),
  };
}

/** Reads back a stored spec (for the CLI and dashboard, which may not load the app's code). */
export function tickSourceFromSpec(spec: string): TickSource {
  return tickSource(JSON.parse(spec) as ScheduleTiming, 'stored schedule');
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
