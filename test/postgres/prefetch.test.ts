// Two workers that claim ahead (prefetch) share one PostgreSQL queue: every job runs once, and the jobs
// one of them held when it stopped go back to the queue for the other.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createErrand, type Errand, type Job } from '@errand/core';
import { postgresBackend } from '@errand/postgres';

import { recordingLogger } from '../core/recording-logger.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { dropSchema, POSTGRES_URL, testSchemaName } from './test-schema.ts';

const JOBS = 3_000;

describe('postgres: workers with prefetch', { skip: await skipUnlessReachable(POSTGRES_URL) }, () => {
  const schema = testSchemaName();
  const apps: Errand[] = [];
  const runs = new Map<number, number>();

  function app(): Errand {
    const made = createErrand({
      backend: postgresBackend({ connectionString: POSTGRES_URL, schema }),
      logger: recordingLogger(),
    });
    apps.push(made);
    return made;
  }

  /** Every succeeded job, page by page. */
  async function succeededJobs(made: Errand): Promise<Job[]> {
    const all: Job[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await made.jobs({ state: 'succeeded', limit: 500, ...(before && { before }) });
      all.push(...page.jobs);
      if (page.next === null) return all;
      before = page.next;
    }
  }

  after(async () => {
    for (const made of apps) await made.close();
    await dropSchema(schema);
  });

  it('run every job once, and a stopped worker hands its held jobs to the other', async () => {
    const first = app();
    const second = app();
    const tick = async (n: number) => {
      runs.set(n, (runs.get(n) ?? 0) + 1);
      await sleep(1);
    };
    const task = first.task('tick', tick);
    second.task('tick', tick);
    await task.enqueueMany(Array.from({ length: JOBS }, (_, n) => n));
    const early = first.worker({ concurrency: 10, prefetch: 200, pollInterval: '50ms' });
    const late = second.worker({ concurrency: 10, prefetch: 200, pollInterval: '50ms' });
    await Promise.all([early.start(), late.start()]);
    while (runs.size < JOBS / 3) await sleep(5);
    await early.stop({ grace: '5s' });
    const afterStop = (await first.jobs({ state: 'running', limit: 500 })).jobs;
    assert.ok(
      afterStop.every((job) => job.workerId === late.id),
      'the stopped worker left no job running under its name',
    );
    const deadline = performance.now() + 30_000;
    while (runs.size < JOBS && performance.now() < deadline) await sleep(20);
    await late.stop({ grace: '5s' });
    assert.equal(runs.size, JOBS, 'every job ran');
    const twice = [...runs].filter(([, count]) => count !== 1);
    assert.deepEqual(twice, [], 'no job ran twice');
    const jobs = await succeededJobs(first);
    assert.equal(jobs.length, JOBS);
    assert.ok(
      jobs.every((job) => job.attempt === 1),
      'a handed-back job did not count an attempt',
    );
  });
});
