// What each page shows, and that nothing a job carries ever becomes markup.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { call, dashboardOf, HTML_QUEUE, HTML_TASK, seededApp, XSS_INPUT } from './helpers.ts';

async function pageText(path: string, seeded?: Awaited<ReturnType<typeof seededApp>>) {
  const { app } = seeded ?? (await seededApp());
  const response = await call(dashboardOf(app), path);
  return { response, body: squash(await response.text()) };
}

/** The markup with runs of whitespace cut to one space and none between tags, for matching. */
function squash(markup: string): string {
  return markup.replace(/\s+/g, ' ').replace(/> </g, '><').replace(/ >/g, '>');
}

describe('dashboard pages', () => {
  it('the queues page counts jobs per queue and state, charts the last hour, and offers to retry the failed', async () => {
    const { response, body } = await pageText('/errand');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(body, /<a href="\/errand\/jobs\?queue=reports">reports<\/a>/);
    assert.match(body, /<a href="\/errand\/jobs\?queue=reports&amp;state=failed">1<\/a>/);
    assert.match(body, /<svg viewBox="0 0 1200 180" role="img"/);
    assert.match(body, /<strong>2<\/strong> finished in the last 60 min/);
    assert.match(
      body,
      /data-action="\/errand\/actions\/tasks\/report\/retry-failed"[^>]*> ?Retry 1 failed ?</,
    );
    assert.match(body, /data-action="\/errand\/actions\/queues\/reports\/pause"/);
  });

  it('the jobs page filters by queue, task and state', async () => {
    const seeded = await seededApp();
    const { body } = await pageText('/errand/jobs?task=report&state=failed', seeded);
    assert.match(body, new RegExp(`<a href="/errand/jobs/${seeded.ids.failed}">report</a>`));
    assert.doesNotMatch(
      body,
      new RegExp(`/errand/jobs/${seeded.ids.queued}"`),
      'a queued report is filtered out',
    );
    assert.match(body, /<option selected>failed<\/option>/);
    const byQueue = await pageText('/errand/jobs?queue=default', seeded);
    assert.match(byQueue.body, new RegExp(`/errand/jobs/${seeded.ids.succeeded}"`));
    assert.doesNotMatch(byQueue.body, new RegExp(`/errand/jobs/${seeded.ids.failed}"`));
  });

  it('the jobs page pages by cursor: "Older" links to the page after the last job shown', async () => {
    const seeded = await seededApp();
    const echo = seeded.app.declare('bulk', { queue: 'bulk' });
    const handles = await echo.enqueueMany(Array.from({ length: 120 }, (_, n) => ({ n })));
    const first = await pageText('/errand/jobs?queue=bulk', seeded);
    const older = /<a rel="next" href="([^"]+)">Older/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
    assert.equal(older, `/errand/jobs?queue=bulk&before=${handles[70]!.id}`);
    const second = await pageText(older, seeded);
    assert.match(second.body, new RegExp(`/errand/jobs/${handles[69]!.id}"`));
    assert.doesNotMatch(second.body, new RegExp(`/errand/jobs/${handles[70]!.id}"`));
    const last = /<a rel="next" href="([^"]+)">Older/.exec(second.body)?.[1]?.replace(/&amp;/g, '&');
    const third = await pageText(last!, seeded);
    assert.match(third.body, /end of list/);
    assert.match(third.body, new RegExp(`/errand/jobs/${handles[0]!.id}"`));
  });

  it("a job's page shows its input, each attempt's error with its stack, and its timeline", async () => {
    const seeded = await seededApp();
    const { body } = await pageText(`/errand/jobs/${seeded.ids.failed}`, seeded);
    assert.match(
      body,
      /<h1>Job \d+ ?<span class="subtle">report<\/span> ?<span class="badge state-failed">failed<\/span> ?<\/h1>/,
    );
    assert.match(body, /&quot;month&quot;: &quot;2026-10&quot;/);
    assert.match(body, /NonRetryableError: the ledger for 2026-10 is locked/);
    assert.match(body, /<summary>Stack<\/summary><pre class="stack">NonRetryableError: the ledger/);
    assert.match(body, /enqueued in reports/);
    assert.match(body, /attempt 1 failed: NonRetryableError/);
    assert.match(body, /data-action="\/errand\/actions\/jobs\/\d+\/retry"/);
    assert.match(body, /data-action="\/errand\/actions\/jobs\/\d+\/delete"/);
  });

  it('every payload and name is escaped: a script in an input, HTML in a task or queue name stay text', async () => {
    const seeded = await seededApp();
    for (const path of [
      `/errand/jobs/${seeded.ids.xss}`,
      `/errand/jobs/${seeded.ids.htmlNamed}`,
      '/errand/jobs',
      '/errand/',
    ]) {
      const { body } = await pageText(path, seeded);
      assert.doesNotMatch(body, /<script>window/, `${path}: a payload's script tag is markup`);
      assert.doesNotMatch(body, /<img src=x/, `${path}: a payload's img tag is markup`);
      assert.doesNotMatch(body, /<b>(bold|queue)<\/b>/, `${path}: HTML from a job is markup`);
    }
    const job = await pageText(`/errand/jobs/${seeded.ids.htmlNamed}`, seeded);
    assert.ok(
      job.body.includes('&lt;img src=x onerror=&quot;window.__xss=true&quot;&gt;task'),
      'the task name shows as text',
    );
    assert.ok(job.body.includes('&lt;b&gt;queue&lt;/b&gt;'), 'the queue name shows as text');
    assert.ok(
      job.body.includes(`/errand/jobs?queue=${encodeURIComponent(HTML_QUEUE)}`),
      'links encode names',
    );
    assert.ok(job.body.includes(`/errand/jobs?task=${encodeURIComponent(HTML_TASK)}`));
    const input = await pageText(`/errand/jobs/${seeded.ids.xss}`, seeded);
    assert.ok(input.body.includes('&lt;script&gt;window.__xss = true&lt;/script&gt;'));
    assert.ok(input.body.includes('&lt;/pre&gt;&lt;/main&gt;'), `${XSS_INPUT.html} stays inside its <pre>`);
  });

  it('schedules show their timing, last and next run, with pause and resume', async () => {
    const seeded = await seededApp();
    const nightly = seeded.app.declare('nightly');
    seeded.app.schedule('nightly-report', { cron: '0 3 * * *', tz: 'Europe/Paris' }, nightly);
    const worker = seeded.app.worker();
    await worker.start(); // records the schedules
    await worker.stop();
    const { body } = await pageText('/errand/schedules', seeded);
    assert.match(body, /nightly-report/);
    assert.match(body, /<code>0 3 \* \* \* \(Europe\/Paris\)<\/code>/);
    assert.match(body, /data-action="\/errand\/actions\/schedules\/nightly-report\/pause"/);
  });

  it('workers show their heartbeat and the jobs they run', async () => {
    const seeded = await seededApp();
    let release!: () => void;
    const slow = seeded.app.task('slow', () => new Promise<void>((resolve) => (release = resolve)));
    const handle = await slow.enqueue({});
    const worker = seeded.app.worker({ concurrency: 4 });
    await worker.start();
    try {
      while ((await handle.status())?.state !== 'running') await new Promise((r) => setTimeout(r, 5));
      const { body } = await pageText('/errand/workers', seeded);
      assert.match(body, /1 alive/);
      assert.match(
        body,
        new RegExp(`<a class="chip" href="/errand/jobs/${handle.id}">slow #${handle.id}</a>`),
      );
      assert.match(body, /<td class="num">1\/4<\/td>/);
    } finally {
      release();
      await worker.stop();
    }
  });

  it('an unknown job or page is a 404 page; a path outside basePath is a 404', async () => {
    const { app } = await seededApp();
    const dashboard = dashboardOf(app);
    assert.equal((await call(dashboard, '/errand/jobs/999999')).status, 404);
    assert.equal((await call(dashboard, '/errand/nope')).status, 404);
    assert.equal((await call(dashboard, '/elsewhere')).status, 404);
    assert.equal((await call(dashboard, '/errandx')).status, 404);
  });
});
