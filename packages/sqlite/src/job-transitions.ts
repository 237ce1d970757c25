import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { JobTransition } from '@errand/core';

/**
 * transition() as a better-sqlite3 transaction function: the batch's changes applied by
 * transition-jobs (sql/transition.sql), one statement per round, and whether each applied.
 */
export function transitionJobs(
  db: Database,
  statement: Statement<[{ changes: string }], number>,
): Transaction<(changes: readonly JobTransition[]) => boolean[]> {
  return db.transaction((changes: readonly JobTransition[]) => {
    const applied = new Array<boolean>(changes.length).fill(false);
    for (const round of rounds(changes)) {
      const batch = round.length === changes.length ? changes : round.map((i) => changes[i]!);
      const ids = new Set(statement.all({ changes: JSON.stringify(batch) }));
      for (const i of round) if (ids.has(Number(changes[i]!.id))) applied[i] = true;
    }
    return applied;
  });
}

/**
 * The changes' indexes in rounds where no job appears twice, each job's changes in their order: one
 * UPDATE writes a row once, and a job's second change must see its first. The core's batches rarely
 * repeat a job, so there is mostly one round. Ids are compared as SQLite compares them, as numbers.
 */
function rounds(changes: readonly JobTransition[]): number[][] {
  const result: number[][] = [];
  const roundOf = new Map<number, number>();
  for (let i = 0; i < changes.length; i++) {
    const id = Number(changes[i]!.id);
    const round = (roundOf.get(id) ?? -1) + 1;
    roundOf.set(id, round);
    (result[round] ??= []).push(i);
  }
  return result;
}
