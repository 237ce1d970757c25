import pg from 'pg';
import type { CustomTypesConfig } from 'pg';
import type { JobRecord } from '@errand/core';

/** Oids of the integer types errand's columns use: int8 (times), int2, int4. */
const INTEGER_OIDS = new Set([20, 21, 23]);

function parseInteger(value: string): number {
  return Number(value);
}

/**
 * How errand reads the values of its own queries, whatever an app set globally with
 * pg.types.setTypeParser: integers (times are bigint epoch milliseconds) as numbers; ids are
 * selected as text, so they stay exact decimal strings; everything else as pg reads it by default.
 */
export const ERRAND_TYPES: CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
    INTEGER_OIDS.has(oid)
      ? parseInteger
      : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown),
};

/** A job id as insert() returns it: a positive decimal integer without leading zeros. */
const ID = /^[1-9][0-9]{0,18}$/;
const MAX_ID = 9223372036854775807n;

/** Whether `id` names a job this store could have (anything else is no job, never a query error). */
export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id) && (id.length < 19 || BigInt(id) <= MAX_ID);
}

/** Orders decimal ids as numbers: '10' after '9'. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Claim order: priority (lower first), then runAt, then id. */
export function byClaimOrder(a: JobRecord, b: JobRecord): number {
  return a.priority - b.priority || a.runAt - b.runAt || compareIds(a.id, b.id);
}
