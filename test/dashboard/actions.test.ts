// Each action does what its button says, through the app's API, and says so; what the core
// refuses is refused with a reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { act, csrfTokenOf, dashboardOf, seededApp } from './helpers.ts';

async function setup() {
  const seeded = await seededApp();
  const dashboard = dashboardOf(seeded.app);
  const token = await csrfTokenOf(dashboard);
  const run = async (path: string) => {
    const response = await act(dashboard, `/errand/actions${path}`, token);
    return {
      status: response.status,
      body: (await response.json()) as { ok: boolean; message: string; redirect?: string },
    };
  };
  return { ...seeded, run };
}

describe('dashboard actions', () => {
  it('cancel a waiting job, then delete it; deleting sends the page back to the jobs list', async () => {
    const { app, ids, run } = await setup();
    assert.equal((await run(`/jobs/${ids.queued}/cancel`)).status, 200);
    assert.equal((await app.job(ids.queued).status())?.state, 'cancelled');
    assert.equal((await run(`/jobs/${ids.queued}/cancel`)).status, 409, 'nothing left to cancel');
    const deleted = await run(`/jobs/${ids.queued}/delete`);
    assert.deepEqual(deleted, {
      status: 200,
      body: { ok: true, message: `Job ${ids.queued} is deleted.`, redirect: '/errand/jobs' },
    });
    assert.equal(await app.job(ids.queued).status(), null);
    assert.equal((await run(`/jobs/${ids.queued}/delete`)).status, 404);
  });

  it('a running job is not deleted: cancel it first', async () => {
    const { app, run } = await setup();
    let release!: () => void;
    const slow = app.task('slow', () => new Promise<void>((resolve) => (release = resolve)));
    const handle = await slow.enqueue({});
    const worker = app.worker();
    await worker.start();
    try {
      while ((await handle.status())?.state !== 'running') await new Promise((r) => setTimeout(r, 5));
      const refused = await run(`/jobs/${handle.id}/delete`);
      assert.equal(refused.status, 409);
      assert.match(refused.body.message, /running: cancel it first/);
      assert.equal((await handle.status())?.state, 'running');
    } finally {
      release();
      await worker.stop();
    }
  });

  it('retry all failed of a task, and a retry of a job that has not failed is refused', async () => {
    const { app, ids, failing, run } = await setup();
    const report = app.taskNamed('report')!;
    await report.enqueueMany([{ month: '2026-08' }, { month: '2026-09' }]);
    await app.drain();
    assert.equal((await run(`/jobs/${ids.succeeded}/retry`)).status, 409);
    const retried = await run('/tasks/report/retry-failed');
    assert.deepEqual(retried, {
      status: 200,
      body: { ok: true, message: '3 failed jobs of report queued again.' },
    });
    failing.value = false;
    await app.drain();
    const counts = (await app.stats()).filter((c) => c.task === 'report');
    assert.deepEqual(counts.map((c) => [c.state, c.count]).sort(), [
      ['scheduled', 1],
      ['succeeded', 3],
    ]);
  });

  it('pause and resume a queue and a schedule', async () => {
    const { app, run } = await setup();
    assert.equal((await run('/queues/reports/pause')).status, 200);
    assert.deepEqual(await app.pausedQueues(), ['reports']);
    assert.equal((await run('/queues/reports/resume')).status, 200);
    assert.deepEqual(await app.pausedQueues(), []);
    app.schedule('every-minute', { every: '1m' }, app.taskNamed('echo')!, {});
    const worker = app.worker();
    await worker.start();
    await worker.stop();
    assert.equal((await run('/schedules/every-minute/pause')).status, 200);
    assert.equal((await app.schedules())[0]?.paused, true);
    assert.equal((await run('/schedules/every-minute/resume')).status, 200);
    assert.equal((await app.schedules())[0]?.paused, false);
    assert.equal((await run('/schedules/nope/pause')).status, 404);
    assert.equal((await run('/jobs/1/explode')).status, 404);
  });
});
