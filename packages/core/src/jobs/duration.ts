/** A length of time: milliseconds, or a string such as `'250ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`. */
export type Duration = number | `${number}${DurationUnit}`;

type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/**
 * Turns a Duration into milliseconds. `what` names the setting in the error,
 * e.g. `toMilliseconds('5x', 'timeout')` says `timeout: ...`.
 */
export function toMilliseconds(value: Duration, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError(`${what} must be a number of milliseconds >= 0 (got ${String(value)})`);
    }
    return value;
  }
  const match = typeof value === 'string' ? DURATION_PATTERN.exec(value.trim()) : null;
  if (!match) {
    throw new TypeError(
      `${what} must be milliseconds or a string like '500ms', '30s', '5m', '2h', '1d' (got ${JSON.stringify(value)})`,
    );
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as DurationUnit]);
}
