/**
 * Payloads and results travel as JSON text. JSON.stringify silently turns
 * some values into something else (a Date into a string, NaN into null,
 * a Map into {}, undefined in an array into null) or throws on others
 * (BigInt, cycles); a job queue must not lose data that way, so values are
 * checked first and refused with a path to the offending part.
 */
export class PayloadError extends TypeError {
  override name = 'PayloadError';
}

export interface EncodeLimits {
  /** Largest encoded size, in bytes. */
  maxBytes: number;
}

/** Encodes `value` as JSON text, or throws a PayloadError saying what (`label`) cannot be carried and why. */
export function encodeJson(value: unknown, label: string, limits: EncodeLimits): string {
  const problem = findUnfaithfulPart(value, label, new Set());
  if (problem) throw new PayloadError(problem);
  const text = JSON.stringify(value === undefined ? null : value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    throw new PayloadError(
      `${label} is ${bytes} bytes of JSON, over the limit of ${limits.maxBytes}; store large data elsewhere and pass a reference, or raise maxPayloadBytes`,
    );
  }
  return text;
}

/** Parses JSON text read from the store; throws a PayloadError naming `label` when it is corrupt. */
export function decodeJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PayloadError(`${label} is not valid JSON (${(error as Error).message})`);
  }
}

function findUnfaithfulPart(value: unknown, path: string, ancestors: Set<object>): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path} must be a finite number (got ${String(value)})`;
    case 'undefined':
      return null;
    case 'bigint':
      return `${path} is a BigInt, which JSON cannot carry; pass it as a string`;
    case 'function':
      return `${path} is a function; payloads are JSON data, never code`;
    case 'symbol':
      return `${path} is a symbol, which JSON cannot carry`;
    case 'object':
      break;
  }
  if (value === null) return null;
  const object = value;
  if (ancestors.has(object)) return `${path} refers back to itself (a cycle), which JSON cannot carry`;
  ancestors.add(object);
  try {
    if (Array.isArray(object)) return findUnfaithfulInArray(object as unknown[], path, ancestors);
    const prototype = Object.getPrototypeOf(object) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = object instanceof Date ? 'a Date (pass date.toISOString())' : `a ${describeClass(object)}`;
      return `${path} is ${kind}; payloads take plain objects, arrays, strings, finite numbers, booleans and null`;
    }
    for (const [key, child] of Object.entries(object)) {
      const problem = findUnfaithfulPart(child, `${path}.${key}`, ancestors);
      if (problem) return problem;
    }
    return null;
  } finally {
    ancestors.delete(object);
  }
}

function findUnfaithfulInArray(array: unknown[], path: string, ancestors: Set<object>): string | null {
  for (let index = 0; index < array.length; index++) {
    if (!(index in array)) return `${path}[${index}] is a hole in a sparse array, which JSON turns into null`;
    const item = array[index];
    if (item === undefined) return `${path}[${index}] is undefined, which JSON turns into null`;
    const problem = findUnfaithfulPart(item, `${path}[${index}]`, ancestors);
    if (problem) return problem;
  }
  return null;
}

function describeClass(object: object): string {
  const name = (object.constructor as { name?: string } | undefined)?.name;
  return name ? `${name} instance` : 'non-plain object';
}
