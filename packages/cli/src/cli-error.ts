/**
 * A mistake the person at the terminal can fix (a wrong id, bad JSON, a job in
 * the wrong state). The CLI prints its message as one line and exits 1, never
 * with a stack trace.
 */
export class CliError extends Error {
  override name = 'CliError';
}

/** A thrown value's message, for a one-line report. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
