/**
 * Text for people (tables, times, indented JSON) and JSON for programs.
 * Commands write their answer on stdout; errors and logs go to stderr.
 */

/** Writes lines on stdout. */
export function print(...lines: string[]): void {
  process.stdout.write(lines.map((line) => `${line}\n`).join(''));
}

/** Writes a value as indented JSON on stdout (Dates become ISO strings). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns two spaces apart, headers in capitals; trailing spaces trimmed. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [headers.map((header) => header.toUpperCase()), ...rows];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

/** A time as local `YYYY-MM-DD HH:MM:SS`, with how far it is from `now`: `2025-05-01 12:00:30 (in 29s)`. */
export function formatTime(time: Date, now: number): string {
  return `${localTimestamp(time)} (${relativeTime(time.getTime() - now)})`;
}

function localTimestamp(time: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  const date = `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())}`;
  return `${date} ${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
}

/** `in 29s`, `3m ago`, `now` for a signed difference in milliseconds. */
export function relativeTime(differenceMs: number): string {
  const span = shortDuration(Math.abs(differenceMs));
  if (span === null) return 'now';
  return differenceMs > 0 ? `in ${span}` : `${span} ago`;
}

/** `45s`, `3m`, `2h`, `4d`, or null under a second. */
function shortDuration(ms: number): string | null {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return null;
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** A JSON value indented for reading, every line prefixed by `indent`. */
export function indentedJson(value: unknown, indent = '  '): string[] {
  const text = value === undefined ? 'none' : (JSON.stringify(value, null, 2) ?? 'none');
  return text.split('\n').map((line) => `${indent}${line}`);
}

/** `1 job`, `3 jobs`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A length as the largest unit that divides it exactly: `15m`, `90s`, `250ms`, `1d`. */
export function exactDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** `a`, `a or b`, `a, b or c`. */
export function oneOf(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`;
}
