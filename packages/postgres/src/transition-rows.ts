import { writtenFields, type JobTransition } from '@errand/core';
import { isJobId } from './rows.ts';
import type { TransitionRow } from './statements.ts';

/** One call of transition-jobs: the changes that update their job, and those that remove it. */
export interface TransitionRound {
  updates: TransitionRow[];
  removals: Removals;
}

/** transition-jobs' $2-$6: the removals as parallel arrays (see sql/transition.sql). */
export interface Removals {
  ids: string[];
  from: string[];
  leaseTokens: (string | null)[];
  leaseExpiredBefore: (number | null)[];
  i: number[];
}

/**
 * The batch as transition-jobs calls, in rounds where no job appears twice; changes whose id cannot
 * be a job are left out (they apply to nothing).
 */
export function rounds(changes: readonly JobTransition[]): TransitionRound[] {
  const result: TransitionRound[] = [];
  const roundOf = new Map<string, number>();
  changes.forEach((change, i) => {
    if (!isJobId(change.id)) return;
    const round = (roundOf.get(change.id) ?? -1) + 1;
    roundOf.set(change.id, round);
    const { updates, removals } = (result[round] ??= {
      updates: [],
      removals: { ids: [], from: [], leaseTokens: [], leaseExpiredBefore: [], i: [] },
    });
    if (!change.remove) {
      updates.push(transitionRow(change, i));
      return;
    }
    removals.ids.push(change.id);
    removals.from.push(change.from.join(','));
    removals.leaseTokens.push(change.leaseToken ?? null);
    removals.leaseExpiredBefore.push(change.leaseExpiredBefore ?? null);
    removals.i.push(i);
  });
  return result;
}

function transitionRow(change: JobTransition, i: number): TransitionRow {
  const set = writtenFields(change);
  return {
    i,
    id: change.id,
    from: change.from,
    leaseToken: change.leaseToken ?? null,
    leaseExpiredBefore: change.leaseExpiredBefore ?? null,
    to: change.to,
    set,
    runAt: change.runAt,
    result: change.result,
    errors: change.errors,
    attempt: change.attempt,
    maxAttempts: change.maxAttempts,
    startedAt: change.startedAt,
    finishedAt: change.finishedAt,
  };
}
