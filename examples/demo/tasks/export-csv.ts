/**
 * The export-csv handler: streams made-up orders into a CSV file batch by batch, as a real export
 * pages through a database, and reports its progress. Memory stays flat whatever the size.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobContext } from 'errand';
import { exportFileName, PARTIAL_SUFFIX } from '../csv/export-files.ts';
import { csvLine, ORDER_COLUMNS, orderRow } from '../csv/order-rows.ts';
import type { CsvExport } from './declarations.ts';

/** What the page shows of a running export. */
export interface ExportProgress {
  done: number;
  total: number;
}

export function exportCsvHandler(settings: { exportsDir: string; rowsPerSecond: number }) {
  return async ({ rows }: { rows: number }, ctx: JobContext): Promise<CsvExport> => {
    await mkdir(settings.exportsDir, { recursive: true });
    const file = exportFileName(ctx.jobId);
    const finalPath = path.join(settings.exportsDir, file);
    // Written under another name until complete, so a download never serves half a file; a retry
    // starts the same partial file over.
    const partialPath = finalPath + PARTIAL_SUFFIX;
    await pipeline(
      Readable.from(csvChunks(rows, settings.rowsPerSecond, ctx)),
      createWriteStream(partialPath),
      { signal: ctx.signal },
    );
    await rename(partialPath, finalPath);
    return { file, rows, bytes: (await stat(finalPath)).size };
  };
}

/** The header, then batches of about a tenth of a second's rows, at the pretend database's pace. */
async function* csvChunks(rows: number, rowsPerSecond: number, ctx: JobContext): AsyncGenerator<string> {
  yield csvLine(ORDER_COLUMNS);
  const batchSize = Math.max(1, Math.round(rowsPerSecond / 10));
  const startedAt = performance.now();
  for (let first = 1; first <= rows; first += batchSize) {
    const last = Math.min(rows, first + batchSize - 1);
    // The query for this batch returns when the pace says, however long writing the last one took.
    const dueAt = startedAt + (last / rowsPerSecond) * 1_000;
    await sleep(Math.max(0, dueAt - performance.now()), undefined, { signal: ctx.signal });
    let chunk = '';
    for (let n = first; n <= last; n++) chunk += csvLine(orderRow(n));
    yield chunk;
    await ctx.progress({ done: last, total: rows } satisfies ExportProgress);
  }
}
