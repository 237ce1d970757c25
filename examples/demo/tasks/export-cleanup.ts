/**
 * The scheduled clean-ups of the exports folder: finished exports past their age (nightly), and
 * partial files that no attempt writes any more (every minute), left by a worker that was killed.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PARTIAL_SUFFIX } from '../csv/export-files.ts';

export function cleanUpExportsHandler(exportsDir: string) {
  return async ({ olderThanHours }: { olderThanHours: number }) => {
    const removed = await removeFiles(exportsDir, {
      matching: (name) => name.endsWith('.csv'),
      idleFor: olderThanHours * 3_600_000,
    });
    return { removed, kept: (await listFiles(exportsDir)).filter((name) => name.endsWith('.csv')).length };
  };
}

export function sweepPartialExportsHandler(exportsDir: string) {
  return async ({ idleMinutes }: { idleMinutes: number }) => {
    // A running export writes its partial file ten times a second, so a file idle this long is orphaned.
    const removed = await removeFiles(exportsDir, {
      matching: (name) => name.endsWith(PARTIAL_SUFFIX),
      idleFor: idleMinutes * 60_000,
    });
    return { removed };
  };
}

async function removeFiles(
  dir: string,
  { matching, idleFor }: { matching: (name: string) => boolean; idleFor: number },
): Promise<number> {
  let removed = 0;
  for (const name of (await listFiles(dir)).filter(matching)) {
    const file = path.join(dir, name);
    const modifiedAt = (await stat(file).catch(() => null))?.mtimeMs;
    if (modifiedAt !== undefined && Date.now() - modifiedAt > idleFor) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

async function listFiles(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []; // no export yet
    throw error;
  });
}
