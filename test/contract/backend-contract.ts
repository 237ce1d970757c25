/**
 * The backend contract suite: every guarantee the doc comments in
 * packages/core/src/storage/backend.ts state, checked against one backend.
 * Each backend's test file calls describeBackendContract() with a factory for
 * fresh, isolated stores; every test gets its own.
 *
 *   describeBackendContract('sqlite', async () => {
 *     const file = tempFile();
 *     return { backend: sqliteBackend({ file }), cleanup: () => rm(file) };
 *   });
 *
 * A backend that cannot honour a test skips it by name, with a reason:
 *
 *   describeBackendContract('redis', makeRedis, {
 *     skip: { 'a batch with a record the store rejects stores none of them': 'no constraints to violate' },
 *   });
 */
import { describe, it } from 'node:test';

import { cancelRequestCases } from './cases/cancel-requests.ts';
import { claimLimitCases } from './cases/claim-limits.ts';
import { claimCases } from './cases/claim.ts';
import { deleteAndCountCases } from './cases/delete-and-counts.ts';
import { insertCases } from './cases/insert.ts';
import { leaseCases } from './cases/leases.ts';
import { lifecycleCases } from './cases/lifecycle.ts';
import { listCases } from './cases/list.ts';
import { pausedQueueCases } from './cases/paused-queues.ts';
import { scheduleCases } from './cases/schedules.ts';
import { statsAndPruneCases } from './cases/stats-and-prune.ts';
import { transitionCases } from './cases/transition.ts';
import { transitionRemovalCases } from './cases/transition-removal.ts';
import { uniqueCases } from './cases/unique.ts';
import { workerCases } from './cases/workers.ts';
import type { ContractTest, MakeBackend } from './helpers.ts';

export type { BackendFixture, CallerTransaction, MakeBackend } from './helpers.ts';

export interface ContractOptions {
  /** Test name -> why this backend skips it. A name that matches no test is an error. */
  skip?: Readonly<Record<string, string>>;
}

export function describeBackendContract(
  name: string,
  makeBackend: MakeBackend,
  options: ContractOptions = {},
): void {
  const skip = options.skip ?? {};
  const names = new Set<string>();

  const test: ContractTest = (testName, body) => {
    if (names.has(testName)) throw new Error(`The contract suite has two tests named "${testName}"`);
    names.add(testName);
    it(testName, { skip: skip[testName] ?? false }, async (t) => {
      const fixture = await makeBackend();
      try {
        await fixture.backend.init();
        await body(fixture.backend, { fixture, t });
      } finally {
        try {
          await fixture.backend.close();
        } finally {
          await fixture.cleanup();
        }
      }
    });
  };

  describe(`${name} backend contract`, () => {
    describe('insert and get', () => insertCases(test));
    describe('claim', () => claimCases(test));
    describe('transition', () => transitionCases(test));
    describe('transition with remove', () => transitionRemovalCases(test));
    describe('leases, progress and expiry', () => leaseCases(test));
    describe('list', () => listCases(test));
    describe('stats and prune', () => statsAndPruneCases(test));
    describe('workers', () => workerCases(test));
    describe('init and close', () => lifecycleCases(test));
    describe('unique inserts', () => uniqueCases(test));
    describe('cancel requests', () => cancelRequestCases(test));
    describe('paused queues', () => pausedQueueCases(test));
    describe('claim limits: excluded queues, rate, concurrency', () => claimLimitCases(test));
    describe('schedules', () => scheduleCases(test));
    describe('delete and finished counts', () => deleteAndCountCases(test));

    const unknown = Object.keys(skip).filter((skipped) => !names.has(skipped));
    if (unknown.length > 0) {
      throw new Error(
        `describeBackendContract("${name}"): skip names no test: ${unknown.map((n) => `"${n}"`).join(', ')}`,
      );
    }
  });
}
