import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh database file path in the OS temp folder; nothing is created until SQLite opens it. */
export function tempDatabasePath(): string {
  return join(tmpdir(), `errand-test-${process.pid}-${randomBytes(6).toString('hex')}.db`);
}

/** Deletes a database file and its WAL and shared-memory companions. */
export async function removeDatabase(path: string): Promise<void> {
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(path + suffix, { force: true })));
}
