import { ConcurrencyLedger, type ClaimRequest } from '@errand/core';
import type { JobRow } from './rows.ts';
import type { ClaimParams, Statements } from './statements.ts';

/**
 * A claim with a rate limit, a concurrency limit or both (limited-claim.sql). Runs inside one
 * IMMEDIATE transaction: SQLite admits one writer at a time, so the starts and running jobs it counts
 * cannot change before it commits, whichever process claims next.
 *
 * Returns the claimed rows in no particular order, like claim-jobs.
 */
export function limitedClaim(statements: Statements, request: ClaimRequest, params: ClaimParams): JobRow[] {
  const { rate, concurrency, now } = request;
  let limit = params.limit;
  if (rate !== undefined) {
    statements.pruneRateStarts.run({ rateKey: rate.key, before: now - 2 * rate.periodMs });
    const { started } = statements.countRateStarts.get({ rateKey: rate.key, since: now - rate.periodMs })!;
    limit = Math.min(limit, Math.floor(rate.max) - started);
    if (limit <= 0) return [];
  }
  const rows =
    concurrency === undefined
      ? statements.claimJobs.all({ ...params, limit })
      : claimWithinConcurrency(statements, { ...params, limit }, concurrency.max);
  if (rate !== undefined && rows.length > 0) {
    statements.recordRateStarts.run({ rateKey: rate.key, now, starts: rows.length });
  }
  return rows;
}

/**
 * Takes due jobs in claim order, each only while fewer than `max` jobs of its concurrency key run
 * (counting the ones taken here). Candidates come in rounds from claim-candidates, which leaves out
 * the keys known to be full; a round that had to skip a job (its key filled up during the round)
 * is followed by another, so a saturated key never hides the jobs behind it.
 */
function claimWithinConcurrency(statements: Statements, params: ClaimParams, max: number): JobRow[] {
  const ledger = new ConcurrencyLedger(max, statements.runningPerKey.all());
  const { leaseToken, leaseUntil, workerId, ...filters } = params;
  const claimed: JobRow[] = [];
  for (;;) {
    const wanted = params.limit - claimed.length;
    const candidates = statements.claimCandidates.all({
      ...filters,
      limit: wanted,
      fullKeys: JSON.stringify(ledger.fullKeys()),
    });
    const { taken, skipped } = ledger.take(candidates);
    if (taken.length > 0) {
      const ids = JSON.stringify(taken);
      claimed.push(...statements.claimIds.all({ ids, now: params.now, leaseToken, leaseUntil, workerId }));
    }
    // Done when nothing was skipped (every candidate taken) or there were no more candidates to see.
    if (!skipped || candidates.length < wanted || claimed.length >= params.limit) return claimed;
  }
}
