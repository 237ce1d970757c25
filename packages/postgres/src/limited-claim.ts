import type { PoolClient } from 'pg';
import { ConcurrencyLedger, type ClaimRequest, type JobRecord } from '@errand/core';
import type { ClaimValues, Statements } from './statements.ts';

/**
 * A claim with a rate limit, a concurrency limit or both (limited-claim.sql), inside the caller's
 * transaction on `client`. Advisory locks make the counts it reads hold until it commits: the rate
 * key's lock for the starts, the schema's concurrency lock for the running jobs. Every claimer of
 * the store, in any process, takes the same locks, in the same order (rate first).
 *
 * Returns the claimed rows in no particular order, like claim-jobs.
 */
export async function limitedClaim(
  client: PoolClient,
  statements: Statements,
  request: ClaimRequest,
  values: ClaimValues,
): Promise<JobRecord[]> {
  const { rate, concurrency, now } = request;
  let limit = values.limit;
  if (rate !== undefined) {
    await client.query(statements.lockLimit(rate.key));
    await client.query(statements.pruneRateStarts(rate.key, now - 2 * rate.periodMs));
    const { rows } = await client.query<{ started: number }>(
      statements.countRateStarts(rate.key, now - rate.periodMs),
    );
    limit = Math.min(limit, Math.floor(rate.max) - (rows[0]?.started ?? 0));
    if (limit <= 0) return [];
  }
  const rows =
    concurrency === undefined
      ? (await client.query<JobRecord>(statements.claimJobs({ ...values, limit }))).rows
      : await claimWithinConcurrency(client, statements, { ...values, limit }, concurrency.max);
  if (rate !== undefined && rows.length > 0) {
    await client.query(statements.recordRateStarts(rate.key, now, rows.length));
  }
  return rows;
}

/**
 * Takes due jobs in claim order, each only while fewer than `max` jobs of its concurrency key run
 * (counting the ones taken here). Candidates come in rounds from claim-candidates, which leaves out
 * the keys known to be full; a round that had to skip a job (its key filled up during the round)
 * is followed by another, so a saturated key never hides the jobs behind it.
 */
async function claimWithinConcurrency(
  client: PoolClient,
  statements: Statements,
  values: ClaimValues,
  max: number,
): Promise<JobRecord[]> {
  await client.query(statements.lockLimit(null));
  const counts = await client.query<{ concurrencyKey: string; running: number }>(statements.runningPerKey());
  const ledger = new ConcurrencyLedger(max, counts.rows);
  const claimed: JobRecord[] = [];
  for (;;) {
    const wanted = values.limit - claimed.length;
    const { rows: candidates } = await client.query<{ id: string; concurrencyKey: string | null }>(
      statements.claimCandidates({ ...values, limit: wanted }, ledger.fullKeys()),
    );
    const { taken, skipped } = ledger.take(candidates);
    if (taken.length > 0) {
      claimed.push(...(await client.query<JobRecord>(statements.claimIds(taken, values))).rows);
    }
    // Done when nothing was skipped (every candidate taken) or there were no more candidates to see.
    if (!skipped || candidates.length < wanted || claimed.length >= values.limit) return claimed;
  }
}
