import { FINISHED_STATES, type JobState, type ListFilter } from '@errand/core';
import { NewestIds } from './newest-ids.ts';
import { byIdDescending, type JobRow } from './rows.ts';
import type { Statements } from './statements.ts';

/** The partial list indexes, and the states each holds (schema-4-list-pairs.sql). */
const LIST_GROUPS = [
  { group: 'waiting', states: ['scheduled', 'queued'] },
  { group: 'finished', states: FINISHED_STATES },
] as const satisfies readonly { group: string; states: readonly JobState[] }[];

/** One index range of ids: its newest, and a reader of its ids below `before`, highest first. */
interface IdRange {
  head: number;
  read: (before: number, limit: number) => IterableIterator<number>;
}

/**
 * list()'s rows: up to `limit` jobs matching the filter below `before`, highest id first. Call it
 * inside a read transaction, so its several statements see one snapshot.
 *
 * Each list index is ordered by (queue, task, state, id), so the jobs of one pair in one state are
 * a range in id order. The page is the merge of the ranges the filter selects (sql/list.sql): one
 * statement finds the matching pairs and the newest id of each range, then the ranges are read
 * from the one with the newest job down, each until its ids are too old for the page (NewestIds),
 * and the page's rows are fetched by id. Running jobs are few and come off errand_jobs_leases.
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
  const newest = new NewestIds(limit);
  // Once the page is full, a range whose newest job is older than all of the page is not read,
  // and neither is any range after it.
  for (const { head, read } of idRanges(statements, filter, before).sort((a, b) => b.head - a.head)) {
    if (!newest.offer(head)) break;
    for (const id of read(head, limit)) if (!newest.offer(id)) break;
  }
  if (newest.ids.length === 0) return [];
  const rows = statements.listRows.all({ ids: JSON.stringify(newest.ids) });
  return rows.sort(byIdDescending);
}

/** The non-empty index ranges that hold the filter's jobs below `before`. */
function idRanges(
  statements: Statements,
  { state, task, queue }: Omit<ListFilter, 'before'>,
  before: bigint,
): IdRange[] {
  const ranges: IdRange[] = [];
  if (state === undefined || state === 'running') {
    const { listRunningIds } = statements;
    const running = { task: task ?? null, queue: queue ?? null };
    const head = listRunningIds.get({ ...running, before, limit: 1 });
    if (head !== undefined) {
      ranges.push({
        head,
        read: (below, limit) => listRunningIds.iterate({ ...running, before: below, limit }),
      });
    }
  }
  for (const { group, states } of LIST_GROUPS) {
    const wanted = states.filter((each) => state === undefined || each === state);
    if (wanted.length === 0) continue;
    const { heads, ids } = statements.listGroups[group];
    const filter = { queue: queue ?? null, task: task ?? null, states: JSON.stringify(wanted), before };
    for (const range of heads.all(filter)) {
      if (range.head === null) continue;
      const pair = { queue: range.queue, task: range.task, state: range.state };
      ranges.push({
        head: range.head,
        read: (below, limit) => ids.iterate({ ...pair, before: below, limit }),
      });
    }
  }
  return ranges;
}
