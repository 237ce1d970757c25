import { EventEmitter } from 'node:events';

/**
 * In-process signals between an app's enqueuers, its workers and its result
 * waiters, so a job enqueued in the same process starts at once and a
 * finished job's waiter hears of it without polling the store.
 */
export class LocalBus {
  readonly #events = new EventEmitter().setMaxListeners(0);

  jobsAdded(queues: readonly string[]): void {
    this.#events.emit('jobs-added', queues);
  }

  onJobsAdded(listener: (queues: readonly string[]) => void): () => void {
    this.#events.on('jobs-added', listener);
    return () => this.#events.off('jobs-added', listener);
  }

  cancelRequested(id: string): void {
    this.#events.emit('cancel-requested', id);
  }

  onCancelRequested(listener: (id: string) => void): () => void {
    this.#events.on('cancel-requested', listener);
    return () => this.#events.off('cancel-requested', listener);
  }

  jobSettled(id: string): void {
    this.#events.emit(`settled:${id}`);
  }

  onceJobSettled(id: string, listener: () => void): () => void {
    this.#events.once(`settled:${id}`, listener);
    return () => this.#events.off(`settled:${id}`, listener);
  }
}
