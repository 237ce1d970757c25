import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend } from '@errand/core';

/** What slowCalls saw of one backend method: every call's first argument, and how many ran at once. */
export interface CallStats<A> {
  calls: A[];
  inFlight: number;
  maxInFlight: number;
}

/**
 * Makes each call of `backend[method]` take `delayMs` more, as a round trip to a server would, and
 * records the calls and how many were in flight at once.
 */
export function slowCalls<M extends 'claim' | 'transition'>(
  backend: Backend,
  method: M,
  delayMs: number,
): CallStats<Parameters<Backend[M]>[0]> {
  const stats: CallStats<Parameters<Backend[M]>[0]> = { calls: [], inFlight: 0, maxInFlight: 0 };
  const original = (backend[method] as (argument: unknown) => Promise<unknown>).bind(backend);
  const slowed = async (argument: Parameters<Backend[M]>[0]) => {
    stats.calls.push(argument);
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    try {
      await sleep(delayMs);
      return await original(argument);
    } finally {
      stats.inFlight--;
    }
  };
  backend[method] = slowed as Backend[M];
  return stats;
}
