import type { Backend, JobTransition } from '../storage/backend.ts';

/** Told whether the backend applied the change (false: the lease was lost), or why it could not write it. */
export type TransitionDone = (applied: boolean, error?: unknown) => void;

/**
 * Writes a worker keeps in flight at once. More would not finish sooner (they share the store's
 * CPU and, on PostgreSQL, its commit flushes) but each costs a statement and, on a pool that is still
 * cold, a new connection; changes that gather meanwhile go together in the next write.
 */
const WRITES_IN_FLIGHT = 2;

interface Pending {
  change: JobTransition;
  done: TransitionDone;
}

/**
 * Gathers the transitions that finishing jobs produce within one turn of the
 * event loop and writes them in one backend call: with many short jobs this
 * turns hundreds of round trips (or SQLite transactions) into one. While
 * WRITES_IN_FLIGHT writes are out, changes wait and go in the next write when
 * one comes back.
 */
export class TransitionBatcher {
  readonly #backend: Backend;
  /** A write leaves as soon as this many changes wait and a write slot is free (it takes all that wait). */
  readonly #flushAt: number;
  #pending: Pending[] = [];
  #scheduled = false;
  #inFlight = new Set<Promise<void>>();

  constructor(backend: Backend, flushAt: number) {
    this.#backend = backend;
    this.#flushAt = flushAt;
  }

  /** Queues a change for the next write; `done` hears how it went (a callback: no promise per job). */
  apply(change: JobTransition, done: TransitionDone): void {
    this.#pending.push({ change, done });
    if (this.#pending.length >= this.#flushAt) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushSoon);
    }
  }

  readonly #flushSoon = (): void => this.#flush();

  /** Waits until every change handed in so far is written. */
  async drain(): Promise<void> {
    this.#flush();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0 || this.#inFlight.size >= WRITES_IN_FLIGHT) return;
    const batch = this.#pending;
    this.#pending = [];
    const write = this.#write(batch);
    this.#inFlight.add(write);
    void write.finally(() => {
      this.#inFlight.delete(write);
      this.#flush();
    });
  }

  async #write(batch: Pending[]): Promise<void> {
    let applied: boolean[];
    try {
      applied = await this.#backend.transition(batch.map((entry) => entry.change));
    } catch (error) {
      for (const entry of batch) entry.done(false, error);
      return;
    }
    for (let index = 0; index < batch.length; index++) {
      try {
        batch[index]!.done(applied[index] === true);
      } catch (error) {
        // A listener's bug must not keep the rest of the batch from settling; it still surfaces.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }
}
