import type { Backend, JobTransition } from '../storage/backend.ts';

interface Pending {
  change: JobTransition;
  resolve(applied: boolean): void;
  reject(error: unknown): void;
}

/**
 * Gathers the transitions that finishing jobs produce within one turn of the
 * event loop and writes them in one backend call: with many short jobs this
 * turns hundreds of round trips (or SQLite transactions) into one.
 */
export class TransitionBatcher {
  readonly #backend: Backend;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #scheduled = false;
  #inFlight = new Set<Promise<void>>();

  constructor(backend: Backend, maxBatch: number) {
    this.#backend = backend;
    this.#maxBatch = maxBatch;
  }

  /** Resolves with whether the backend applied the change (false: the lease was lost). */
  apply(change: JobTransition): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ change, resolve, reject });
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Waits until every change handed in so far is written. */
  async drain(): Promise<void> {
    this.#flush();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const write = this.#write(batch);
    this.#inFlight.add(write);
    void write.finally(() => this.#inFlight.delete(write));
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      const applied = await this.#backend.transition(batch.map((entry) => entry.change));
      batch.forEach((entry, index) => entry.resolve(applied[index] === true));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
