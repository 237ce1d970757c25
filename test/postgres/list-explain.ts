/**
 * EXPLAIN ANALYZE of list-filtered, and what the list-plan tests check in it: which indexes it
 * reads and how, how many index entries, and how many rows each sort takes in.
 */
import assert from 'node:assert/strict';

import type pg from 'pg';

import { sqlStatement } from '../../packages/postgres/src/sql.ts';

export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

export function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

export function describePlan(plan: PlanNode, depth = 0): string {
  const index = plan['Index Name'] ? ` using ${plan['Index Name']}` : '';
  const rows = plan['Actual Loops'] ? ` (rows=${plan['Actual Rows']} loops=${plan['Actual Loops']})` : '';
  return [
    `${'  '.repeat(depth)}${plan['Node Type']}${index}${rows}`,
    ...(plan.Plans ?? []).map((child) => describePlan(child, depth + 1)),
  ].join('\n');
}

/** Rows a node produced over all its loops, plus those its filter threw away. */
export function rowsRead(node: PlanNode): number {
  return ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 0);
}

export const LIST_INDEXES = ['jobs_list_waiting_pairs', 'jobs_list_finished_pairs'];

/** list-filtered's values: states, task, queue, before, limit. */
export type ListValues = [
  states: string[],
  task: string | null,
  queue: string | null,
  before: string,
  limit: number,
];

/** Runs list-filtered under EXPLAIN (ANALYZE, BUFFERS) and returns its plan's root. */
export async function explainList(client: pg.Client, schema: string, values: ListValues): Promise<PlanNode> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sqlStatement('list.sql', 'list-filtered', schema)}`,
    values,
  );
  return rows[0]!['QUERY PLAN'][0].Plan;
}

/** What a filter spans in the table: the lists it merges, and the pairs its sets hold. */
export interface Extent {
  /** (queue, task, state) lists with a job below the cursor, each running job counting as one. */
  lists: number;
  /** (queue, task) pairs of the wanted sets (waiting, finished) in the filter's queue: what the loose scans walk. */
  pairs: number;
}

export async function extentOf(client: pg.Client, schema: string, values: ListValues): Promise<Extent> {
  const [states, task, queue, before] = values;
  const { rows } = await client.query<{ lists: number; pairs: number }>(
    `SELECT
       (SELECT count(DISTINCT (queue, task, state)) FILTER (WHERE state <> 'running')
          + count(*) FILTER (WHERE state = 'running')
        FROM "${schema}".jobs
        WHERE state = ANY ($1) AND ($2::text IS NULL OR task = $2) AND ($3::text IS NULL OR queue = $3)
          AND id < $4)::integer AS lists,
       (SELECT count(DISTINCT (waiting, queue, task))
        FROM (SELECT state IN ('scheduled', 'queued') AS waiting, queue, task FROM "${schema}".jobs
          WHERE state <> 'running' AND ($3::text IS NULL OR queue = $3)) AS held
        WHERE (waiting AND $1 && '{scheduled,queued}') OR (NOT waiting AND $1 && '{succeeded,failed,cancelled}')
       )::integer AS pairs`,
    [states, task, queue, before],
  );
  return rows[0]!;
}

/**
 * The plan reads the jobs table through ordered index scans of the list indexes and jobs_leases,
 * and through the primary key only to fetch the page's rows by id; each sort takes in at most
 * `limit` ids from each of at most `limit` lists (or the lists' heads), and the list indexes give
 * up at most one entry per pair and per list, plus `limit` from each of at most `limit` lists.
 * Returns the entries read from the list indexes.
 */
export function assertPagedThroughIndexes(plan: PlanNode, extent: Extent, limit: number): number {
  const all = nodes(plan);
  const reads = all.filter(
    (node) => node['Relation Name'] === 'jobs' || node['Node Type'] === 'Bitmap Index Scan',
  );
  assert.ok(reads.length > 0, 'the plan reads the table somehow');
  for (const read of reads) {
    const type = read['Node Type'];
    const index = read['Index Name'] ?? '';
    if (type === 'Bitmap Heap Scan') continue; // its Bitmap Index Scan is checked
    assert.match(type, /^(Index (Only )?Scan|Bitmap Index Scan)$/, `a ${type} of jobs`);
    if (index === 'jobs_pkey') {
      assert.match(
        read['Index Cond'] ?? '',
        /^\(id = ANY /,
        'the primary key fetches the page by id, never walks',
      );
    } else if (LIST_INDEXES.includes(index)) {
      assert.match(type, /^Index (Only )?Scan$/, `${index} is walked in order (${type})`);
    } else {
      assert.equal(index, 'jobs_leases', `an unexpected index: ${index}`);
    }
  }
  const lists = extent.lists;
  const perSort = Math.max(lists, Math.min(lists, limit) * limit);
  for (const sort of all.filter((node) => node['Node Type'] === 'Sort')) {
    // Its input, not the CTEs and InitPlans that hang below it too.
    const input = (sort.Plans ?? [])
      .filter((child) => child['Parent Relationship'] === 'Outer')
      .reduce((sum, child) => sum + (child['Actual Rows'] ?? 0) * (child['Actual Loops'] ?? 0), 0);
    assert.ok(
      input <= perSort,
      `a sort of ${input} rows (${lists} lists, limit ${limit}: at most ${perSort})`,
    );
  }
  const entries = reads
    .filter((read) => LIST_INDEXES.includes(read['Index Name'] ?? ''))
    .reduce((sum, read) => sum + rowsRead(read), 0);
  const most = extent.pairs + lists + Math.min(lists, limit) * limit;
  assert.ok(entries <= most, `${entries} list index entries read (at most ${most})`);
  return entries;
}
