import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Wakeups } from '@errand/core';

/**
 * Cross-process wake-ups without a server: every commit to a WAL-mode database
 * writes its `-wal` file, and the operating system tells whoever watches the
 * folder at once. A worker is woken on any commit by any process (its own
 * included) and simply claims; polling stays the safety net for file systems
 * that do not report changes (some network mounts).
 */
export class FileWakeups implements Wakeups {
  readonly #folder: string;
  readonly #walName: string;

  constructor(databaseFile: string) {
    this.#folder = dirname(databaseFile);
    this.#walName = `${basename(databaseFile)}-wal`;
  }

  /** Nothing to send: the commit that added the jobs is the signal. */
  async notify(): Promise<void> {}

  async subscribe(listener: (queues: readonly string[]) => void): Promise<() => Promise<void>> {
    let pending = false;
    let watcher: FSWatcher;
    try {
      // The folder, not the file: SQLite deletes and recreates the -wal file.
      watcher = watch(this.#folder, { persistent: false }, (_event, name) => {
        if (name !== this.#walName || pending) return;
        pending = true;
        // Many commits in one turn wake the worker once. An empty list means "any queue".
        setImmediate(() => {
          pending = false;
          listener([]);
        });
      });
    } catch {
      return async () => undefined; // no change reports here: polling alone finds the jobs
    }
    watcher.on('error', () => watcher.close());
    return async () => watcher.close();
  }
}
