import type { NewJob, ScheduleDefinition, ScheduleRecord } from '@errand/core';
import { newJobArgs } from './records.ts';
import type { Client, ScriptRunner } from './scripts.ts';

/**
 * Schedules in Redis: one hash, `{prefix}:schedules`, of name -> JSON {task, spec, payload,
 * lastTickAt, paused, declaredAt}, the times as decimal text (cjson would round a 13-digit number
 * to 14 significant digits on its way out; text is exact). Writes are scripts
 * (record-schedules.lua, fire-schedule.lua, set-schedule-paused.lua); the list is one HGETALL.
 */

/** A schedule as the hash keeps it. */
interface StoredSchedule {
  task: string;
  spec: string;
  payload: string;
  lastTickAt: string | false;
  paused: boolean;
  declaredAt: string;
}

/** record-schedules.lua's arguments: declaredAt and the schedules as JSON, checked. */
export function recordArgs(schedules: readonly ScheduleDefinition[], declaredAt: number): string[] {
  if (!Number.isFinite(declaredAt)) {
    throw new TypeError(`recordSchedules: declaredAt must be a finite number (got ${typeof declaredAt})`);
  }
  const rows = schedules.map((schedule, index) => {
    for (const field of ['name', 'task', 'spec', 'payload'] as const) {
      if (typeof schedule?.[field] !== 'string') {
        throw new TypeError(
          `recordSchedules: schedule ${index + 1} of ${schedules.length}: "${field}" must be a string`,
        );
      }
    }
    return [schedule.name, schedule.task, schedule.spec, schedule.payload];
  });
  return [String(declaredAt), JSON.stringify(rows)];
}

/** fire-schedule.lua's arguments: name, tick and the jobs as JSON, checked. */
export function fireArgs(fire: { name: string; tick: number; jobs: readonly NewJob[] }): string[] {
  if (typeof fire.name !== 'string') throw new TypeError('fireSchedule: "name" must be a string');
  if (!Number.isFinite(fire.tick)) throw new TypeError('fireSchedule: "tick" must be a finite number');
  const rows = fire.jobs.map((job, index) => newJobArgs(job, index, fire.jobs.length, 'fireSchedule'));
  return [fire.name, String(fire.tick), JSON.stringify(rows)];
}

/** Every recorded schedule, in name order. */
export async function listSchedules(client: Client, key: string): Promise<ScheduleRecord[]> {
  const all = await client.hgetall(key);
  return Object.keys(all)
    .sort(byCodeUnit)
    .map((name) => {
      const stored = JSON.parse(all[name]!) as StoredSchedule;
      return {
        name,
        task: stored.task,
        spec: stored.spec,
        payload: stored.payload,
        lastTickAt: stored.lastTickAt === false ? null : Number(stored.lastTickAt),
        paused: stored.paused,
        declaredAt: Number(stored.declaredAt),
      };
    });
}

/** Runs fire-schedule.lua: the new ids, or null when the tick did not fire. */
export async function fireSchedule(
  scripts: ScriptRunner,
  idKey: string,
  args: string[],
): Promise<string[] | null> {
  const reply = await scripts.run('fire-schedule', idKey, args);
  if (reply === null) return null;
  const ids: unknown = JSON.parse(reply as string);
  // cjson writes an empty list as {}.
  return Array.isArray(ids) ? (ids as string[]) : [];
}

/** Name order, as the SQL backends sort text (by code unit). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
