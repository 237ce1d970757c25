/**
 * The `limit` highest ids among those offered, highest first: list() merges the ids it reads from
 * several index ranges (one per (queue, task) pair and state) into one page with it.
 */
export class NewestIds {
  /** Highest first; at most `limit` of them. */
  readonly ids: number[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Keeps `id` if it is among the `limit` highest so far. Returns false when it is not, and so no
   * lower id can be either: a reader walking an index downwards stops there.
   */
  offer(id: number): boolean {
    const { ids } = this;
    const limit = this.#limit;
    if (ids.length >= limit && !(id > ids[limit - 1]!)) return false;
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (ids[middle]! > id) low = middle + 1;
      else high = middle;
    }
    ids.splice(low, 0, id);
    if (ids.length > limit) ids.pop();
    return true;
  }
}
