import { Doorbell } from './doorbell.ts';

/**
 * One of a worker's claim loops, with its share of the worker's slots.
 *
 * With one loop, a worker waits for each claim's round trip with nothing to
 * do, then runs the batch while the store waits for the next claim. With two,
 * each holding half the slots, one lane's claim is in flight while the other
 * lane's jobs run, and the worker and the store work at the same time. The
 * second lane claims only while jobs are plentiful (the first lane's last
 * claim came back full), so an idle worker still makes one claim per poll or
 * wake-up.
 */
export class ClaimLane {
  /** Jobs of this lane running now. */
  running = 0;
  readonly doorbell = new Doorbell();

  constructor(
    readonly slots: number,
    /** The lane that polls and hears wake-ups; the others follow it. */
    readonly primary: boolean,
  ) {}

  get free(): number {
    return this.slots - this.running;
  }
}

/** Below this many slots a claim is small and quick: one lane. */
const TWO_LANES_FROM = 20;

/** Two lanes where the backend says overlapping claims pay (Backend.overlapClaims) and there are slots to split. */
export function planLanes(concurrency: number, overlapClaims: boolean): ClaimLane[] {
  if (!overlapClaims || concurrency < TWO_LANES_FROM) return [new ClaimLane(concurrency, true)];
  const first = Math.ceil(concurrency / 2);
  return [new ClaimLane(first, true), new ClaimLane(concurrency - first, false)];
}
