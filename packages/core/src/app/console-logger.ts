import type { Logger } from './task.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** Lines on stderr (stdout stays free for a program's own output), from `minimum` up. */
export function consoleLogger(minimum: LogLevel = 'info'): Logger {
  const threshold = LEVELS.indexOf(minimum);
  const line =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (LEVELS.indexOf(level) < threshold) return;
      const suffix = fields && Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
      process.stderr.write(`[errand] ${level} ${message}${suffix}\n`);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
  } catch {
    return '{…}';
  }
}
