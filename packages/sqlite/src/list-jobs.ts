import { JOB_STATES, type JobState, type ListFilter } from '@errand/core';
import type { JobRow } from './rows.ts';
import type { Statements } from './statements.ts';

/**
 * list()'s rows: up to `limit` jobs matching the filter below `before`, highest id first, each
 * filter read through its own index (sql/reads.sql, list-*). A filter without a state reads once
 * per state, `limit` rows at most each, and merges: six short index walks instead of one walk over
 * every job of other queues or tasks.
 */
export function listRows(
  statements: Statements,
  filter: Omit<ListFilter, 'before'>,
  before: bigint,
  limit: number,
): JobRow[] {
  const { state, task, queue } = filter;
  if (state === undefined && task === undefined && queue === undefined) {
    return statements.listAll.all({ before, limit });
  }
  const states: readonly JobState[] = state === undefined ? JOB_STATES : [state];
  const rows: JobRow[] = [];
  for (const each of states) {
    for (const row of listState(statements, each, filter, before, limit)) rows.push(row);
  }
  if (states.length > 1) rows.sort((a, b) => b.id - a.id);
  if (rows.length > limit) rows.length = limit;
  return rows;
}

/** One state's matching jobs, through the index set that holds that state. */
function listState(
  statements: Statements,
  state: JobState,
  { task, queue }: Omit<ListFilter, 'before' | 'state'>,
  before: bigint,
  limit: number,
): JobRow[] {
  if (state === 'running') {
    return statements.listRunning.all({ task: task ?? null, queue: queue ?? null, before, limit });
  }
  const set = state === 'scheduled' || state === 'queued' ? 'waiting' : 'finished';
  if (task !== undefined) {
    return statements.listByTask[set].all({ task, state, queue: queue ?? null, before, limit });
  }
  if (queue !== undefined) return statements.listByQueue[set].all({ queue, state, before, limit });
  return statements.listByState[set].all({ state, before, limit });
}
