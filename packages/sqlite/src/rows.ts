import type { JobRecord, ScheduleRecord, WorkerRecord } from '@errand/core';

/**
 * A job row as the statements return it: JobRecord's columns, with the id still an integer and
 * cancelRequested still 0 or 1.
 */
export type JobRow = Omit<JobRecord, 'id' | 'cancelRequested'> & { id: number; cancelRequested: number };

/** A schedule row: paused still 0 or 1. */
export type ScheduleRow = Omit<ScheduleRecord, 'paused'> & { paused: number };

/** A worker row: queues and tasks still JSON text. */
export interface WorkerRow extends Omit<WorkerRecord, 'queues' | 'tasks'> {
  queues: string | null;
  tasks: string;
}

/**
 * Turns rows into JobRecords in place: the statements already name the columns as JobRecord does,
 * so only the id (to its decimal string) and cancelRequested (to a boolean) change. No copy per row
 * on the hot path.
 */
export function toRecords(rows: JobRow[]): JobRecord[] {
  for (const row of rows) {
    const record = row as unknown as JobRecord;
    record.id = String(row.id);
    record.cancelRequested = row.cancelRequested === 1;
  }
  return rows as unknown as JobRecord[];
}

/** Claim order: priority (lower first), then runAt, then id. */
export function byClaimOrder(a: JobRow, b: JobRow): number {
  return a.priority - b.priority || a.runAt - b.runAt || a.id - b.id;
}

export function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return {
    ...row,
    queues: row.queues === null ? null : (JSON.parse(row.queues) as string[]),
    tasks: JSON.parse(row.tasks) as string[],
  };
}

export function toScheduleRecord(row: ScheduleRow): ScheduleRecord {
  return { ...row, paused: row.paused === 1 };
}
