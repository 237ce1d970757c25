// The claim reads its two indexes and nothing else, however many jobs wait for a later time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import type { Backend, NewJob } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { sqlStatement } from '../../packages/postgres/src/sql.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

const NOT_DUE = 100_000;
const NOW = 1_000_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

function describePlan(plan: PlanNode, depth = 0): string {
  const index = plan['Index Name'] ? ` using ${plan['Index Name']}` : '';
  const relation = plan['Relation Name'] && !plan['Index Name'] ? ` on ${plan['Relation Name']}` : '';
  return [
    `${'  '.repeat(depth)}${plan['Node Type']}${index}${relation}`,
    ...(plan.Plans ?? []).map((child) => describePlan(child, depth + 1)),
  ].join('\n');
}

describe('postgres: the claim query plan', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schema = testSchemaName();
  let backend: Backend;
  let client: pg.Client;
  const claimSql = sqlStatement('claim.sql', 'claim-jobs', schema);
  const job = (overrides: Partial<NewJob>): NewJob => ({
    task: 'send-email',
    queue: 'default',
    state: 'queued',
    priority: 0,
    payload: '{}',
    maxAttempts: 3,
    runAt: NOW,
    createdAt: NOW,
    ...overrides,
  });

  before(async () => {
    backend = postgresBackend({ connectionString: POSTGRES_URL, schema });
    await backend.init();
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    // 100,000 jobs due tomorrow, at the best priority, then the jobs that are due now.
    const tomorrow = Array.from({ length: 10_000 }, (_, n) =>
      job({ state: 'scheduled', priority: -5, runAt: NOW + 86_400_000 + n }),
    );
    for (let i = 0; i < NOT_DUE / tomorrow.length; i++) await backend.insert(tomorrow);
    await backend.insert(Array.from({ length: 50 }, () => job({ state: 'queued', priority: 1 })));
    await backend.insert([job({ state: 'scheduled', priority: 2, runAt: NOW - 10 })]);
    await client.query(`ANALYZE "${schema}".jobs`);
  });

  after(async () => {
    await client?.end();
    await backend?.close();
    await dropSchema(schema);
  });

  /**
   * EXPLAIN (ANALYZE, BUFFERS) of one claim of 10 jobs, rolled back; with `generic`, the plan a
   * prepared statement settles on after a few runs, which cannot peek at the values.
   */
  async function explainClaim(generic: boolean): Promise<PlanNode> {
    await client.query('BEGIN');
    try {
      await client.query(
        `SET LOCAL plan_cache_mode = ${generic ? 'force_generic_plan' : 'force_custom_plan'}`,
      );
      await client.query(`PREPARE claim AS ${claimSql}`);
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE claim(` +
          `'{send-email}', NULL, 10, ${NOW}, 'token', ${NOW + 30_000}, 'worker')`,
      );
      return rows[0]!['QUERY PLAN'][0].Plan;
    } finally {
      await client.query('ROLLBACK');
      await client.query('DEALLOCATE claim');
    }
  }

  for (const generic of [false, true]) {
    it(`reads the queued and scheduled indexes, scans no table (${generic ? 'generic' : 'custom'} plan)`, async (t) => {
      const plan = await explainClaim(generic);
      t.diagnostic(`\n${describePlan(plan)}`);
      const all = nodes(plan);
      const scans = all.filter(
        (node) => node['Node Type'].includes('Scan') && node['Relation Name'] === 'jobs',
      );
      const indexes = new Set(scans.map((node) => node['Index Name']));
      assert.ok(indexes.has('jobs_queued'), 'queued jobs are read off jobs_queued');
      assert.ok(indexes.has('jobs_scheduled'), 'due scheduled jobs are sought on jobs_scheduled');
      assert.ok(indexes.has('jobs_pkey'), 'the claimed rows are updated through the primary key');
      for (const scan of scans) {
        assert.ok(
          scan['Index Name'] !== undefined,
          `a scan of the jobs table without an index: ${scan['Node Type']}`,
        );
      }
      // With 100,000 jobs not yet due at a better priority, a claim still touches only a few pages:
      // it never walks the jobs that are not due.
      const blocks = (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
      t.diagnostic(`buffers touched: ${blocks}`);
      assert.ok(blocks < 300, `the claim touched ${blocks} buffers: it walked jobs that are not due`);
    });
  }

  it('claims only due jobs, in priority order, past 100,000 jobs not yet due', async () => {
    const claimed = await backend.claim({
      queues: null,
      tasks: ['send-email'],
      limit: 5,
      workerId: 'w',
      leaseToken: 't',
      leaseUntil: NOW + 30_000,
      now: NOW,
    });
    assert.deepEqual(
      claimed.map((record) => [record.state, record.priority]),
      Array.from({ length: 5 }, () => ['running', 1]),
    );
    const rest = await backend.claim({
      queues: null,
      tasks: ['send-email'],
      limit: 100,
      workerId: 'w',
      leaseToken: 't2',
      leaseUntil: NOW + 30_000,
      now: NOW,
    });
    assert.equal(rest.length, 46, 'the other 45 queued jobs and the one due scheduled job');
    assert.deepEqual(rest.at(-1)?.priority, 2);
  });
});
