import type { FinishedCount, FinishedCountsRequest } from '@errand/core';
import type { Client, ScriptRunner } from './scripts.ts';

/** Most jobs one finished-counts script reads; a busier window takes several scripts. */
const COUNT_BUDGET = 5_000;

/**
 * Backend.finishedCounts: runs finished-counts.lua stretch by stretch over the window, adds up the
 * counts per (pair, state, bucket) and names each pair's queue.
 */
export async function finishedCounts(
  client: Client,
  scripts: ScriptRunner,
  idKey: string,
  pairsKey: string,
  request: FinishedCountsRequest,
): Promise<FinishedCount[]> {
  const { since, until, bucketMs } = request;
  if (!(bucketMs > 0) || !(until > since)) return [];
  const totals = new Map<string, number>();
  type After = [member: string, score: string] | false;
  let after: After = false;
  do {
    const reply = (await scripts.run('finished-counts', idKey, [
      since,
      until,
      bucketMs,
      after === false ? '' : after[0],
      after === false ? '' : after[1],
      COUNT_BUDGET,
    ])) as string;
    const [next, counts] = JSON.parse(reply) as [After, Record<string, number>];
    for (const [key, count] of Object.entries(counts)) totals.set(key, (totals.get(key) ?? 0) + count);
    after = next;
  } while (after !== false);
  if (totals.size === 0) return [];
  const pairs = await client.hgetall(pairsKey);
  const result: FinishedCount[] = [];
  for (const [key, count] of totals) {
    const [pair, state, bucket] = key.split(':') as [string, FinishedCount['state'], string];
    const names = pairs[pair];
    if (names === undefined) continue;
    const [queue] = JSON.parse(names) as [string, string];
    // Two pairs (one per task) may share a queue: add them up.
    const existing = result.find(
      (row) => row.queue === queue && row.state === state && row.bucket === Number(bucket),
    );
    if (existing) existing.count += count;
    else result.push({ queue, state, bucket: Number(bucket), count });
  }
  return result;
}
