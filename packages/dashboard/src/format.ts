/** How the pages show times, durations and JSON. */

/** "3 s ago", "in 5 min", "2 h ago": how far `at` is from `now`. */
export function relative(at: number | Date | null, now: number): string {
  if (at === null) return '–';
  const ms = (typeof at === 'number' ? at : at.getTime()) - now;
  const text = span(Math.abs(ms));
  if (Math.abs(ms) < 1_000) return 'now';
  return ms < 0 ? `${text} ago` : `in ${text}`;
}

/** A duration in the largest unit that keeps it readable: "850 ms", "12 s", "3 min", "5 h", "2 d". */
export function span(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** An exact time for a tooltip or a detail row: ISO 8601, to the millisecond, in UTC. */
export function exact(at: number | Date | null): string {
  if (at === null) return '–';
  return new Date(at).toISOString();
}

/** JSON as an operator reads it: indented; a value that is not JSON (corrupt input) as it is. */
export function pretty(value: unknown): string {
  if (value === undefined) return '–';
  if (typeof value === 'string') return JSON.stringify(value);
  // Parsed JSON, or the raw text of a corrupt payload: both print.
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

/** 1234567 -> "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
