import type { Clock } from '../clock.ts';
import { toMilliseconds, type Duration } from '../jobs/duration.ts';

/** A clock that moves only when told: retries, delays and schedules without sleeping. */
export interface TestClock extends Clock {
  /** Moves time forward. */
  advance(by: Duration): void;
  /** Jumps to a moment. */
  set(to: Date | number): void;
}

/** (Default start: 2030-01-01T00:00:00Z, so tests never depend on today) */
export function createTestClock(start: Date | number = Date.UTC(2030, 0, 1)): TestClock {
  let now = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => now,
    advance: (by) => {
      now += toMilliseconds(by, 'advance');
    },
    set: (to) => {
      now = typeof to === 'number' ? to : to.getTime();
    },
  };
}
