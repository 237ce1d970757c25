import { JOB_STATES, type JobState, type StateCount } from '@errand/core';

export type Counts = Record<JobState, number> & { total: number };

export function zeroCounts(): Counts {
  return { scheduled: 0, queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, total: 0 };
}

/** Adds up the stats of each group `key` names; groups in name order. */
export function countBy(
  stats: readonly StateCount[],
  key: (count: StateCount) => string,
): Map<string, Counts> {
  const groups = new Map<string, Counts>();
  for (const stat of stats) {
    const name = key(stat);
    const group = groups.get(name) ?? zeroCounts();
    group[stat.state] += stat.count;
    group.total += stat.count;
    groups.set(name, group);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

export const STATES: readonly JobState[] = JOB_STATES;
