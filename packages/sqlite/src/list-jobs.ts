import { JOB_STATES, type JobState, type ListFilter } from '@errand/core';
import type { JobRow } from './rows.ts';
import type { Statements } from './statements.ts';

/**
 * list()'s rows: up to `limit` jobs matching the filter below `before`, highest id first, each
 * filter read through its own index (sql/reads.sql, list-*). A queue or task filter without a state
 * reads its index once per state, `limit` rows at most each, and merges: six short index walks
 * instead of one walk over every job of other queues or tasks.
 */
export function listRows(
  statements: Statements,
  filter: Omit<ListFilter, 'before'>,
  before: bigint,
  limit: number,
): JobRow[] {
  const { state, task, queue } = filter;
  if (task === undefined && queue === undefined) {
    return state === undefined
      ? statements.listAll.all({ before, limit })
      : statements.listByState.all({ state, before, limit });
  }
  const states: readonly JobState[] = state === undefined ? JOB_STATES : [state];
  const rows: JobRow[] = [];
  for (const each of states) {
    const found =
      task !== undefined
        ? statements.listByTask.all({ task, state: each, queue: queue ?? null, before, limit })
        : statements.listByQueue.all({ queue: queue!, state: each, before, limit });
    for (const row of found) rows.push(row);
  }
  if (states.length > 1) rows.sort((a, b) => b.id - a.id);
  if (rows.length > limit) rows.length = limit;
  return rows;
}
