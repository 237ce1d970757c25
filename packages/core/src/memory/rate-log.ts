/**
 * The start log behind ClaimRequest.rate: per key, when jobs were started and
 * how many. Entries fall out once they are two periods old, on the next claim
 * under that key (a claim with an older `now` may still count them).
 */
export class RateLog {
  readonly #starts = new Map<string, { at: number; count: number }[]>();

  /**
   * How many more jobs may start at `now`: max minus the starts after
   * now - periodMs, those recorded after `now` (by a claim with a later `now`)
   * included.
   */
  allowance(rate: { key: string; max: number; periodMs: number }, now: number): number {
    const kept = now - 2 * rate.periodMs;
    const entries = (this.#starts.get(rate.key) ?? []).filter((entry) => entry.at > kept);
    this.#starts.set(rate.key, entries);
    const since = now - rate.periodMs;
    const started = entries.reduce((sum, entry) => sum + (entry.at > since ? entry.count : 0), 0);
    return Math.max(0, Math.floor(rate.max) - started);
  }

  record(key: string, now: number, count: number): void {
    if (count === 0) return;
    const entries = this.#starts.get(key) ?? [];
    entries.push({ at: now, count });
    this.#starts.set(key, entries);
  }
}
