/**
 * Where an export's file lives. The worker writes it and the web process serves it, from the same
 * folder: fine on one machine; a real deployment would upload it to object storage instead.
 */
import path from 'node:path';

/** The suffix of a file still being written; it is renamed to its final name when complete. */
export const PARTIAL_SUFFIX = '.part';

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The finished export of job `jobId`, or null for an id that could not be one (it ends up in a path). */
export function exportPath(exportsDir: string, jobId: string): string | null {
  return JOB_ID.test(jobId) ? path.join(exportsDir, exportFileName(jobId)) : null;
}

export function exportFileName(jobId: string): string {
  return `orders-${jobId}.csv`;
}
