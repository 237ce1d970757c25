/**
 * A job as the demo's pages show it: one line a person reads, a percentage for a progress bar, a
 * download link once an export is done. The server renders it into the page, and /api/jobs/:id
 * returns it as JSON for the page's script to update the same elements.
 */
import type { Job, JobState } from 'errand';
import type { ExportProgress } from '../tasks/export-csv.ts';
import type { CsvExport, SentEmail } from '../tasks/declarations.ts';

export interface JobView {
  id: string;
  task: string;
  state: JobState;
  finished: boolean;
  /** What the job is about, from its input: the recipient, the size of the export. */
  about: string;
  /** 0 to 100 for an export; null for jobs that report no progress. */
  percent: number | null;
  summary: string;
  downloadUrl: string | null;
}

export function jobView(job: Job, now: number = Date.now()): JobView {
  const finished = job.finishedAt !== null;
  return {
    id: job.id,
    task: job.task,
    state: job.state,
    finished,
    about: about(job),
    percent: job.task === 'export-csv' ? exportPercent(job) : null,
    summary: summarize(job, now),
    downloadUrl:
      job.task === 'export-csv' && job.state === 'succeeded'
        ? `/exports/${encodeURIComponent(job.id)}/download`
        : null,
  };
}

function about(job: Job): string {
  const input = job.input as Partial<{ to: string; rows: number }> | null;
  if (job.task === 'send-email' && typeof input?.to === 'string') return `to ${input.to}`;
  if (job.task === 'export-csv' && typeof input?.rows === 'number')
    return `${input.rows.toLocaleString('en-US')} rows`;
  return '';
}

function exportPercent(job: Job): number {
  if (job.state === 'succeeded') return 100;
  const progress = job.progress as ExportProgress | undefined;
  if (!progress || !(progress.total > 0)) return 0;
  return Math.min(100, Math.floor((progress.done / progress.total) * 100));
}

function summarize(job: Job, now: number): string {
  const lastError = job.errors.at(-1);
  const attempts = `attempt ${job.attempt} of ${job.maxAttempts}`;
  switch (job.state) {
    case 'queued':
      return lastError ? `waiting for a worker, after: ${lastError.message}` : 'waiting for a worker';
    case 'scheduled': {
      const wait = Math.max(0, (job.runAt.getTime() - now) / 1000).toFixed(1);
      return lastError
        ? `attempt ${lastError.attempt} failed (${lastError.message}); next attempt in ${wait} s`
        : `due in ${wait} s`;
    }
    case 'running':
      return `${attempts} running${job.task === 'export-csv' ? `: ${exportRows(job)}` : ''}`;
    case 'succeeded':
      return succeeded(job);
    case 'failed':
      return `failed after ${job.attempt} attempt(s): ${lastError?.message ?? 'no error recorded'}`;
    case 'cancelled':
      return 'cancelled';
  }
}

function succeeded(job: Job): string {
  const after = job.finishedAt
    ? ` ${seconds(job.finishedAt.getTime() - job.createdAt.getTime())} after the request`
    : '';
  if (job.task === 'send-email') {
    const refused = job.attempt > 1 ? ` (${job.attempt - 1} refused before)` : '';
    return `delivered${after}, by attempt ${job.attempt}${refused}: ${(job.result as SentEmail).response}`;
  }
  if (job.task === 'export-csv') {
    const { rows, bytes } = job.result as CsvExport;
    return `${rows.toLocaleString('en-US')} rows, ${(bytes / 1_000_000).toFixed(1)} MB, done${after}`;
  }
  return `done: ${JSON.stringify(job.result)}`;
}

function exportRows(job: Job): string {
  const progress = job.progress as ExportProgress | undefined;
  if (!progress) return 'starting';
  return `${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} rows`;
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
