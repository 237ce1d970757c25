import { writtenFields, type JobTransition } from '@errand/core';
import { isJobId } from './rows.ts';
import type { TransitionRow } from './statements.ts';

/**
 * The batch as transition-jobs rows, in rounds where no job appears twice; changes whose id cannot
 * be a job are left out (they apply to nothing).
 */
export function rounds(changes: readonly JobTransition[]): TransitionRow[][] {
  const result: TransitionRow[][] = [];
  const roundOf = new Map<string, number>();
  changes.forEach((change, i) => {
    if (!isJobId(change.id)) return;
    const round = (roundOf.get(change.id) ?? -1) + 1;
    roundOf.set(change.id, round);
    (result[round] ??= []).push(transitionRow(change, i));
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
    remove: change.remove === true,
  };
}
