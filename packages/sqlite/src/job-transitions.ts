import type { Database, Statement, Transaction } from 'better-sqlite3';
import { writtenFields, type JobTransition } from '@errand/core';
import { multiRowStatement, ROWS_PER_STATEMENT } from './multi-row.ts';

/** transition-jobs' parameters for one change, in its column order (sql/transition.sql). */
type ChangeValues = [
  id: string,
  from: string,
  leaseToken: string | null,
  leaseExpiredBefore: number | null,
  to: string,
  set: number,
  runAt: number | null,
  result: string | null,
  errors: string | null,
  attempt: number | null,
  maxAttempts: number | null,
  startedAt: number | null,
  finishedAt: number | null,
];

/** remove-jobs' parameters for one change, in its column order (sql/transition.sql). */
type RemovalValues = [id: string, from: string, leaseToken: string | null, leaseExpiredBefore: number | null];

/**
 * transition() as a better-sqlite3 transaction function: the batch's changes applied by
 * transition-jobs statements (remove-jobs for the changes that remove their job) of up to 100
 * changes, and whether each applied.
 */
export function transitionJobs(
  db: Database,
  tablePrefix: string,
): Transaction<(changes: readonly JobTransition[]) => boolean[]> {
  const statementFor = multiRowStatement<ChangeValues[number]>(
    db,
    'transition.sql',
    'transition-jobs',
    tablePrefix,
  );
  const removalFor = multiRowStatement<RemovalValues[number]>(
    db,
    'transition.sql',
    'remove-jobs',
    tablePrefix,
  );
  return db.transaction((changes: readonly JobTransition[]) => {
    const applied = new Array<boolean>(changes.length).fill(false);
    for (const { updates, removals } of rounds(changes)) {
      applyInChunks(statementFor, updates, changes, changeValues, applied);
      applyInChunks(removalFor, removals, changes, removalValues, applied);
    }
    return applied;
  });
}

/** Runs `statement` over the changes at `indexes`, 100 per statement, marking those whose job it returned. */
function applyInChunks<V>(
  statement: (rows: number) => Statement<V[], number>,
  indexes: readonly number[],
  changes: readonly JobTransition[],
  valuesOf: (change: JobTransition) => V[],
  applied: boolean[],
): void {
  for (let start = 0; start < indexes.length; start += ROWS_PER_STATEMENT) {
    const chunk = indexes.slice(start, start + ROWS_PER_STATEMENT);
    const ids = new Set(statement(chunk.length).all(...chunk.flatMap((i) => valuesOf(changes[i]!))));
    for (const i of chunk) if (ids.has(Number(changes[i]!.id))) applied[i] = true;
  }
}

function removalValues(change: JobTransition): RemovalValues {
  return [
    change.id,
    JSON.stringify(change.from),
    change.leaseToken ?? null,
    change.leaseExpiredBefore ?? null,
  ];
}

function changeValues(change: JobTransition): ChangeValues {
  const set = writtenFields(change);
  return [
    change.id,
    JSON.stringify(change.from),
    change.leaseToken ?? null,
    change.leaseExpiredBefore ?? null,
    change.to,
    set,
    change.runAt ?? null,
    change.result ?? null,
    change.errors ?? null,
    change.attempt ?? null,
    change.maxAttempts ?? null,
    change.startedAt ?? null,
    change.finishedAt ?? null,
  ];
}

/**
 * The changes' indexes in rounds where no job appears twice, each job's changes in their order: one
 * UPDATE writes a row once, and a job's second change must see its first. The core's batches rarely
 * repeat a job, so there is mostly one round. Ids are compared as SQLite compares them, as numbers.
 * Each round's changes that remove their job are apart, for remove-jobs.
 */
function rounds(changes: readonly JobTransition[]): { updates: number[]; removals: number[] }[] {
  const result: { updates: number[]; removals: number[] }[] = [];
  const roundOf = new Map<number, number>();
  for (let i = 0; i < changes.length; i++) {
    const id = Number(changes[i]!.id);
    const round = (roundOf.get(id) ?? -1) + 1;
    roundOf.set(id, round);
    const { updates, removals } = (result[round] ??= { updates: [], removals: [] });
    (changes[i]!.remove ? removals : updates).push(i);
  }
  return result;
}
