import type { Logger } from '../app/task.ts';
import type { JobRecord } from '../storage/backend.ts';

/** The app's logger with the job's id, task and attempt on every line. */
export function jobLogger(logger: Logger, job: JobRecord): Logger {
  const tag = { jobId: job.id, task: job.task, attempt: job.attempt };
  const wrap =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void =>
      logger[level](message, { ...tag, ...fields });
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
