import type { ClaimedJob } from './claim-groups.ts';
import { Doorbell } from './doorbell.ts';

/**
 * One of a worker's claim loops, with its share of the worker's slots and of
 * its prefetch allowance.
 *
 * With one loop, a worker waits for each claim's round trip with nothing to
 * do, then runs the batch while the store waits for the next claim. With two,
 * each holding half the slots, one lane's claim is in flight while the other
 * lane's jobs run, and the worker and the store work at the same time. The
 * second lane claims only while jobs are plentiful (the first lane's last
 * claim came back full), so an idle worker still makes one claim per poll or
 * wake-up.
 *
 * A lane with a prefetch allowance (`ahead`) also claims jobs it has no slot
 * for yet and holds them; they start in claim order as slots free. It claims
 * again once half the allowance is used, so the next claim is in flight while
 * held jobs still start, and each round trip serves many jobs.
 */
export class ClaimLane {
  /** Jobs of this lane running now. */
  running = 0;
  /** Claimed jobs waiting for a slot, oldest first. */
  readonly held: ClaimedJob[] = [];
  /** Set while the lane starts held jobs, so a job that finishes at once does not start the next one recursively. */
  starting = false;
  readonly doorbell = new Doorbell();

  constructor(
    readonly slots: number,
    /** The lane that polls and hears wake-ups; the others follow it. */
    readonly primary: boolean,
    /** How many jobs this lane may hold claimed beyond its free slots. */
    readonly ahead = 0,
  ) {}

  get free(): number {
    return this.slots - this.running;
  }

  /** How many more jobs the lane may hold beyond its free slots now. */
  get aheadRoom(): number {
    return Math.max(0, this.ahead - this.held.length);
  }

  /** Takes a held job out of the lane, so it will not start here; undefined if the lane does not hold it. */
  unhold(id: string): ClaimedJob | undefined {
    const index = this.held.findIndex(({ job }) => job.id === id);
    if (index === -1) return undefined;
    const [claimed] = this.held.splice(index, 1);
    claimed!.group.running--;
    this.doorbell.ring();
    return claimed;
  }

  /** Takes every held job out of the lane. */
  unholdAll(): ClaimedJob[] {
    const all = this.held.splice(0);
    for (const { group } of all) group.running--;
    return all;
  }

  /** Whether a claim would take anything: a slot is free, or held jobs are down to half the allowance. */
  get wantsClaim(): boolean {
    if (this.held.length > this.ahead / 2) return false;
    return this.free + this.aheadRoom > 0;
  }
}

/** Below this many slots a claim is small and quick: one lane. */
const TWO_LANES_FROM = 20;

/**
 * Two lanes where the backend says overlapping claims pay (Backend.overlapClaims) and there are slots
 * to split; the prefetch allowance is split like the slots.
 */
export function planLanes(concurrency: number, overlapClaims: boolean, prefetch = 0): ClaimLane[] {
  if (!overlapClaims || concurrency < TWO_LANES_FROM) return [new ClaimLane(concurrency, true, prefetch)];
  const first = Math.ceil(concurrency / 2);
  const firstAhead = Math.ceil(prefetch / 2);
  return [
    new ClaimLane(first, true, firstAhead),
    new ClaimLane(concurrency - first, false, prefetch - firstAhead),
  ];
}
