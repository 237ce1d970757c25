/**
 * Parsers for option values. A bad value throws commander's
 * InvalidArgumentError, which commander reports as a usage error naming the
 * option (exit code 2).
 */
import { toMilliseconds, type Duration } from '@errand/core';
import { InvalidArgumentError } from 'commander';

/** A whole number >= 1, e.g. `--concurrency 4`. */
export function positiveInteger(value: string): number {
  return wholeNumberFrom(value, 1, 10);
}

/** A whole number >= 0, e.g. `--prefetch 0`. */
export function wholeNumber(value: string): number {
  return wholeNumberFrom(value, 0, 100);
}

function wholeNumberFrom(value: string, least: number, example: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < least) {
    throw new InvalidArgumentError(`Expected a whole number >= ${least}, like ${example}.`);
  }
  return number;
}

/** Any whole number, negative included, e.g. `--priority -5`. */
export function integer(value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError(`Expected a whole number, like 0 or -5.`);
  }
  return number;
}

/** `'30s'`, `'5m'`, `'250ms'`, `'2h'`, `'1d'`, or plain milliseconds: `'1500'`. Returns milliseconds. */
export function duration(value: string): number {
  const trimmed = value.trim();
  const parsed: Duration = /^\d+$/.test(trimmed) ? Number(trimmed) : (trimmed as Duration);
  try {
    return toMilliseconds(parsed, 'duration');
  } catch {
    throw new InvalidArgumentError(`Expected a duration like 30s, 5m, 250ms, 2h, 1d, or milliseconds.`);
  }
}

/** A job id: the decimal number `errand enqueue` printed. */
export function jobId(value: string): string {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) throw new InvalidArgumentError(`A job id is a whole number, like 42.`);
  return trimmed;
}

/** Collects a repeatable option (`--queue a --queue b`), also splitting commas (`--queue a,b`). */
export function collectList(value: string, previous: string[] = []): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0) throw new InvalidArgumentError(`Expected a name.`);
  return [...previous, ...names];
}
