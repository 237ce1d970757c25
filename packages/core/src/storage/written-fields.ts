import type { JobTransition } from './backend.ts';

/**
 * The optional fields of a JobTransition, each with a bit, for the SQL backends: a change leaves a
 * field it does not give (undefined) as it is, and writes one it gives, null included, so their
 * statements need to know which is which once the change is encoded as parameters or JSON.
 */
const FIELD_BITS = [
  ['runAt', 1],
  ['result', 2],
  ['errors', 4],
  ['attempt', 8],
  ['maxAttempts', 16],
  ['startedAt', 32],
  ['finishedAt', 64],
] as const;

/** The bit mask of the optional fields `change` writes (runAt 1, result 2, errors 4, attempt 8, maxAttempts 16, startedAt 32, finishedAt 64). */
export function writtenFields(change: JobTransition): number {
  let set = 0;
  for (const [field, bit] of FIELD_BITS) if (change[field] !== undefined) set |= bit;
  return set;
}
