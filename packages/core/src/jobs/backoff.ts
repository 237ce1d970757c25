import { toMilliseconds, type Duration } from './duration.ts';

/**
 * How long to wait before the next attempt.
 * - `{ type: 'fixed', delay }`: the same wait every time.
 * - `{ type: 'exponential', base, factor, max, jitter }`: base × factor^(attempt-1), capped at max.
 * - a function of the attempt that just failed (1 for the first) and its error.
 */
export type Backoff =
  | { type: 'fixed'; delay: Duration; jitter?: number }
  | { type: 'exponential'; base?: Duration; factor?: number; max?: Duration; jitter?: number }
  | ((attempt: number, error: Error) => Duration);

/** exponential from 1 s, doubling, capped at 1 h, ±20 % jitter so retries of a burst spread out. */
export const DEFAULT_BACKOFF: Backoff = {
  type: 'exponential',
  base: '1s',
  factor: 2,
  max: '1h',
  jitter: 0.2,
};

/** A validated backoff: attempt and error in, milliseconds out. */
export type BackoffPolicy = (attempt: number, error: Error) => number;

export function backoffPolicy(
  backoff: Backoff,
  label: string,
  random: () => number = Math.random,
): BackoffPolicy {
  if (typeof backoff === 'function') {
    return (attempt, error) =>
      toMilliseconds(backoff(attempt, error), `${label} (returned for attempt ${attempt})`);
  }
  const jitter = backoff.jitter ?? 0;
  if (!(jitter >= 0 && jitter <= 1))
    throw new TypeError(`${label}.jitter must be between 0 and 1 (got ${jitter})`);
  const spread = (delayMs: number) => Math.round(delayMs * (1 - jitter + 2 * jitter * random()));
  if (backoff.type === 'fixed') {
    const delayMs = toMilliseconds(backoff.delay, `${label}.delay`);
    return () => spread(delayMs);
  }
  if (backoff.type === 'exponential') {
    const baseMs = toMilliseconds(backoff.base ?? '1s', `${label}.base`);
    const maxMs = toMilliseconds(backoff.max ?? '1h', `${label}.max`);
    const factor = backoff.factor ?? 2;
    if (!(factor >= 1)) throw new TypeError(`${label}.factor must be >= 1 (got ${factor})`);
    return (attempt) => spread(Math.min(maxMs, baseMs * factor ** Math.max(0, attempt - 1)));
  }
  throw new TypeError(
    `${label} must be { type: 'fixed', delay }, { type: 'exponential', ... } or a function (got ${JSON.stringify(backoff)})`,
  );
}
