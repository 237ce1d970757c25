// The claim reads its indexes and nothing else, however many jobs wait for a later time, and
// whatever the table's statistics say.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import type { Backend } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { skipUnlessReachable } from '../support/services.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';
import { newJob } from '../contract/helpers.ts';

const NOT_DUE = 100_000;
const QUEUED = 50_000;
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

function buffers(plan: PlanNode): number {
  return (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
}

describe('postgres: the claim query plan', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schema = testSchemaName();
  let backend: Backend;
  let client: pg.Client;

  before(async () => {
    backend = postgresBackend({ connectionString: POSTGRES_URL, schema });
    await backend.init();
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    // Statistics taken while the table was empty, as on a queue that just went live: the planner
    // believes there are hardly any jobs. Then 100,000 jobs due tomorrow at the best priority, a
    // backlog of queued jobs, and one scheduled job that is due.
    await client.query(`ANALYZE "${schema}".jobs`);
    const tomorrow = Array.from({ length: 10_000 }, (_, n) =>
      newJob({ state: 'scheduled', priority: -5, runAt: NOW + 86_400_000 + n }),
    );
    for (let i = 0; i < NOT_DUE / tomorrow.length; i++) await backend.insert(tomorrow);
    const queued = Array.from({ length: 10_000 }, () => newJob({ state: 'queued', priority: 1 }));
    for (let i = 0; i < QUEUED / queued.length; i++) await backend.insert(queued);
    await backend.insert([newJob({ state: 'scheduled', priority: 2, runAt: NOW - 10 })]);
    // A paused queue and an excluded one (in the claims below): filters on the index scans, never
    // a join that would put the row locks above something else than an ordered index scan.
    await backend.setQueuePaused('held', true);
  });

  after(async () => {
    await client?.end();
    await backend?.close();
    await dropSchema(schema);
  });

  /** The statement inside errand.claim_jobs(), and the planner settings the function carries. */
  async function claimFunction(): Promise<{ body: string; settings: string[] }> {
    const { rows } = await client.query<{ prosrc: string; proconfig: string[] | null }>(
      `SELECT prosrc, proconfig FROM pg_proc WHERE oid = '"${schema}".claim_jobs'::regproc`,
    );
    const { prosrc, proconfig } = rows[0]!;
    const body = /RETURN QUERY([\s\S]*);\s*END\s*$/.exec(prosrc)?.[1];
    assert.ok(body !== undefined, `unexpected body of claim_jobs:\n${prosrc}`);
    return { body, settings: proconfig ?? [] };
  }

  /**
   * EXPLAIN (ANALYZE, BUFFERS) of the function's statement claiming 10 jobs, under the function's
   * settings, rolled back; with `generic`, the plan a cached statement settles on after a few runs,
   * which cannot peek at the values.
   */
  async function explainClaim(generic: boolean): Promise<PlanNode> {
    const { body, settings } = await claimFunction();
    await client.query('BEGIN');
    try {
      for (const setting of settings) {
        const [name, value] = setting.split('=');
        await client.query(`SELECT set_config($1, $2, true)`, [name, value]);
      }
      await client.query(
        `SET LOCAL plan_cache_mode = ${generic ? 'force_generic_plan' : 'force_custom_plan'}`,
      );
      await client.query(
        `PREPARE claim (text[], text[], text[], integer, bigint, text, bigint, text) AS ${body}`,
      );
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE claim(` +
          `'{send-email}', NULL, '{archive}', 10, ${NOW}, 'token', ${NOW + 30_000}, 'worker')`,
      );
      return rows[0]!['QUERY PLAN'][0].Plan;
    } finally {
      await client.query('ROLLBACK');
      await client.query('DEALLOCATE claim');
    }
  }

  for (const statistics of ['stale', 'fresh'] as const) {
    describe(`with ${statistics} statistics`, () => {
      before(async () => {
        if (statistics === 'fresh') await client.query(`ANALYZE "${schema}".jobs`);
      });

      for (const generic of [false, true]) {
        it(`walks the indexes in order and stops (${generic ? 'generic' : 'custom'} plan)`, async (t) => {
          const plan = await explainClaim(generic);
          t.diagnostic(`\n${describePlan(plan)}`);
          const all = nodes(plan);
          const indexes = new Set(all.map((node) => node['Index Name']).filter((name) => name !== undefined));
          assert.ok(indexes.has('jobs_queued'), 'queued jobs are read off jobs_queued');
          assert.ok(indexes.has('jobs_scheduled'), 'due scheduled jobs are sought on jobs_scheduled');
          assert.ok(indexes.has('jobs_pkey'), 'the claimed rows are updated through the primary key');
          assert.deepEqual(
            all.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name']),
            [],
            'no table is scanned whole',
          );
          for (const lock of all.filter((node) => node['Node Type'] === 'LockRows')) {
            assert.equal(
              lock.Plans?.[0]?.['Node Type'],
              'Index Scan',
              'rows are locked as an ordered index scan finds them, not after reading and sorting them all',
            );
          }
          // 100,000 jobs not yet due at a better priority, 50,000 queued: a claim of 10 still touches
          // a few dozen pages. Reading either set would touch thousands.
          t.diagnostic(`buffers touched: ${buffers(plan)}`);
          assert.ok(
            buffers(plan) < 300,
            `the claim touched ${buffers(plan)} buffers: it read jobs it did not take`,
          );
        });
      }

      it('the claim itself (the function, as the backend calls it) touches few pages', async (t) => {
        await client.query('BEGIN');
        try {
          const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
            `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM "${schema}".claim_jobs(` +
              `'{send-email}', NULL, '{archive}', 10, ${NOW}, 'token', ${NOW + 30_000}, 'worker')`,
          );
          const plan = rows[0]!['QUERY PLAN'][0].Plan;
          t.diagnostic(`buffers touched: ${buffers(plan)}`);
          assert.ok(
            buffers(plan) < 300,
            `a claim of 10 touched ${buffers(plan)} buffers: it read jobs it did not take`,
          );
        } finally {
          await client.query('ROLLBACK');
        }
      });
    });
  }

  it('the claim function turns JIT off with the plan types it prices out, and keeps one generic plan', async () => {
    // Pricing sorts and sequential scans out of reach inflates a plan's cost past jit_above_cost:
    // with JIT on, every claim would spend a few hundred milliseconds compiling. With statistics,
    // the generic plan's cost looks higher than the custom ones', and PL/pgSQL would plan every call
    // anew (migration 006); the tests above show both plans walk the same indexes.
    const { settings } = await claimFunction();
    assert.deepEqual([...settings].sort(), [
      'enable_seqscan=off',
      'enable_sort=off',
      'jit=off',
      'plan_cache_mode=force_generic_plan',
    ]);
  });

  it('claims only due jobs, in priority order, past 100,000 jobs not yet due', async () => {
    const claim = (limit: number, leaseToken: string) =>
      backend.claim({
        queues: null,
        tasks: ['send-email'],
        limit,
        workerId: 'w',
        leaseToken,
        leaseUntil: NOW + 30_000,
        now: NOW,
      });
    const first = await claim(5, 't1');
    assert.deepEqual(
      first.map((record) => [record.state, record.priority]),
      Array.from({ length: 5 }, () => ['running', 1]),
    );
    await client.query(`UPDATE "${schema}".jobs SET state = 'cancelled' WHERE state = 'queued' AND id > 20`);
    const rest = await claim(100, 't2');
    assert.deepEqual(
      rest.map((record) => record.priority),
      [...Array.from({ length: rest.length - 1 }, () => 1), 2],
      'the queued jobs left, then the one due scheduled job; none of those due tomorrow',
    );
  });
});
