/**
 * For backends that enforce a claim's concurrency limit outside one statement
 * (the SQL backends take candidates in rounds): the running count per
 * concurrency key, and which of a round's candidates still fit under `max`,
 * counting the ones taken before them. Jobs with no key always fit.
 */
export class ConcurrencyLedger {
  readonly #max: number;
  readonly #running = new Map<string, number>();
  readonly #full = new Set<string>();

  constructor(max: number, runningPerKey: Iterable<{ concurrencyKey: string; running: number }>) {
    this.#max = max;
    for (const { concurrencyKey, running } of runningPerKey) this.#count(concurrencyKey, running);
  }

  /** Keys already at `max`: a query for candidates can leave them out. */
  fullKeys(): string[] {
    return [...this.#full];
  }

  /**
   * The ids of the candidates that fit, in the order given, each counted as
   * running. `skipped` says whether some did not fit: another round may find
   * jobs behind them.
   */
  take<Id>(candidates: Iterable<{ id: Id; concurrencyKey: string | null }>): {
    taken: Id[];
    skipped: boolean;
  } {
    const taken: Id[] = [];
    let skipped = false;
    for (const { id, concurrencyKey: key } of candidates) {
      if (key !== null) {
        const running = this.#running.get(key) ?? 0;
        if (running >= this.#max) {
          this.#full.add(key);
          skipped = true;
          continue;
        }
        this.#count(key, running + 1);
      }
      taken.push(id);
    }
    return { taken, skipped };
  }

  #count(key: string, running: number): void {
    this.#running.set(key, running);
    if (running >= this.#max) this.#full.add(key);
  }
}
