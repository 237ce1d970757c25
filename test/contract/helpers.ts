import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

import type {
  Backend,
  ClaimRequest,
  JobRecord,
  JobState,
  NewJob,
  NewUniqueJob,
  ScheduleDefinition,
} from '@errand/core';

/** What a backend's test file hands the suite: one fresh, isolated store per call. */
export interface BackendFixture {
  backend: Backend;
  /** Removes the store (file, schema, key prefix). Runs after backend.close(). */
  cleanup(): Promise<void>;
  /**
   * Opens a transaction the backend can join through insert({ tx }), on the
   * same store. Leave it out when the backend cannot join a caller's
   * transaction; the tests that need it are then skipped, saying so.
   */
  begin?(): Promise<CallerTransaction>;
}

export interface CallerTransaction {
  /** The handle passed as insert({ tx }). */
  tx: unknown;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export type MakeBackend = () => Promise<BackendFixture>;

/** Registers one contract test; the body gets a fresh, initialised backend. */
export type ContractTest = (
  name: string,
  body: (backend: Backend, context: { fixture: BackendFixture; t: TestContext }) => Promise<void>,
) => void;

/** "Now" for every test: time is handed to the backend, never read from the wall clock. */
export const NOW = 1_000_000;
export const SECOND = 1_000;

/** A due, queued job of task `send-email` in queue `default`; override what the test is about. */
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    task: 'send-email',
    queue: 'default',
    state: 'queued',
    priority: 0,
    payload: '{"to":"ada@example.com"}',
    maxAttempts: 3,
    runAt: NOW,
    createdAt: NOW,
    ...overrides,
  };
}

/** A claim at NOW by `worker-1` for task `send-email` in any queue, with a 30 s lease. */
export function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    queues: null,
    tasks: ['send-email'],
    limit: 10,
    workerId: 'worker-1',
    leaseToken: 'lease-1',
    leaseUntil: NOW + 30 * SECOND,
    now: NOW,
    ...overrides,
  };
}

/** A job holding `uniqueKey` while scheduled, queued or running, with no end date. */
export function newUniqueJob(uniqueKey: string, overrides: Partial<NewUniqueJob> = {}): NewUniqueJob {
  return {
    ...newJob(),
    uniqueKey,
    uniqueStates: ['scheduled', 'queued', 'running'],
    uniqueUntil: null,
    ...overrides,
  };
}

/** A schedule named `nightly-report` running task `build-report`; override what the test is about. */
export function scheduleDefinition(overrides: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return {
    name: 'nightly-report',
    task: 'build-report',
    spec: '{"cron":"0 3 * * *","tz":"Europe/Paris"}',
    payload: '{"format":"pdf"}',
    ...overrides,
  };
}

/** How many jobs the store holds, in every state. */
export async function jobCount(backend: Backend): Promise<number> {
  return (await backend.stats()).reduce((sum, group) => sum + group.count, 0);
}

/** The ids of claimed jobs, in claim order. */
export function ids(jobs: readonly JobRecord[]): string[] {
  return jobs.map((job) => job.id);
}

export async function insertOne(backend: Backend, overrides: Partial<NewJob> = {}): Promise<string> {
  const [id] = await backend.insert([newJob(overrides)]);
  assert.ok(id !== undefined, 'insert() returned no id for one job');
  return id;
}

/** Inserts one job and claims it; the job's task must be one no other due job has. */
export async function startJob(
  backend: Backend,
  job: Partial<NewJob> = {},
  claim: Partial<ClaimRequest> = {},
): Promise<JobRecord> {
  const id = await insertOne(backend, job);
  const claimed = await backend.claim(
    claimRequest({ tasks: [job.task ?? 'send-email'], limit: 1, ...claim }),
  );
  assert.deepEqual(
    claimed.map((record) => record.id),
    [id],
    'startJob claimed another job: give this job a task of its own',
  );
  return claimed[0] as JobRecord;
}

/** Takes a running job to a finished state the way a worker would, under its lease. */
export async function finishJob(
  backend: Backend,
  running: JobRecord,
  to: Extract<JobState, 'succeeded' | 'failed' | 'cancelled'>,
  finishedAt: number,
): Promise<void> {
  const [applied] = await backend.transition([
    { id: running.id, from: ['running'], leaseToken: running.leaseToken ?? undefined, to, finishedAt },
  ]);
  assert.equal(applied, true, `finishJob could not take job ${running.id} to ${to}`);
}

/** A job (task `archive` unless overridden) that has run and finished at `finishedAt`. */
export async function finishedJob(
  backend: Backend,
  to: Extract<JobState, 'succeeded' | 'failed' | 'cancelled'>,
  finishedAt: number,
  job: Partial<NewJob> = {},
): Promise<string> {
  const running = await startJob(backend, { task: 'archive', ...job });
  await finishJob(backend, running, to, finishedAt);
  return running.id;
}

/** The stored job, failing the test when it is gone. */
export async function mustGet(backend: Backend, id: string): Promise<JobRecord> {
  const job = await backend.get(id);
  assert.ok(job !== null, `job ${id} should exist`);
  return job;
}

/** Ids as numbers, for order checks: ids are decimal text, so '10' > '9' only as numbers. */
export function idNumber(id: string): bigint {
  return BigInt(id);
}

export function sortedById(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => (idNumber(a) < idNumber(b) ? -1 : idNumber(a) > idNumber(b) ? 1 : 0));
}

export function assertStrictlyIncreasing(ids: readonly string[]): void {
  for (let i = 1; i < ids.length; i++) {
    assert.ok(
      idNumber(ids[i - 1] as string) < idNumber(ids[i] as string),
      `ids should increase: ${ids.join(', ')}`,
    );
  }
}
