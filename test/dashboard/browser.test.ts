// The dashboard in a real browser (Debian's Chromium through playwright-core): an operator finds a
// failed job, retries it and watches it succeed without reloading; a payload with a script renders
// as text; a forged action from another site is refused; beyond loopback without auth it refuses.
// Screenshots of the main pages go to test-artifacts/ (and to docs/ with ERRAND_DOCS_SCREENSHOTS=1).
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { nodeHandler } from '@errand/dashboard/node';
import type { Worker } from '@errand/core';

import { artifactPath, launchChromium, skipUnlessChromium } from '../support/browser.ts';
import { dashboardOf, seededApp, type SeededApp } from './helpers.ts';
import { seedHistory } from './history.ts';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs');
const TIMEOUT = 20_000;

async function screenshot(page: Page, name: string, docs = false): Promise<void> {
  const file = artifactPath(name);
  await page.screenshot({ path: file, fullPage: true });
  if (docs && process.env.ERRAND_DOCS_SCREENSHOTS === '1') copyFileSync(file, path.join(DOCS, name));
}

function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`));
  });
}

describe('the dashboard in a browser', { skip: skipUnlessChromium() }, () => {
  let browser: Browser;
  let seeded: SeededApp;
  let worker: Worker;
  let server: Server;
  let origin: string;
  let releaseSlow: () => void = () => {};

  before(async () => {
    seeded = await seededApp();
    const { app, backend } = seeded;
    await seedHistory(backend, app.clock.now());
    // A job that runs for the whole test, so the workers page shows one at work.
    const exportCsv = app.task(
      'export-csv',
      async (_input: { userId: number }, ctx) => {
        await ctx.progress({ done: 4_200, total: 10_000 });
        await new Promise<void>((resolve) => (releaseSlow = resolve));
      },
      { queue: 'exports' },
    );
    await exportCsv.enqueue({ userId: 7 });
    app.schedule('nightly-cleanup', { cron: '0 3 * * *', tz: 'Europe/Paris' }, exportCsv, { userId: 0 });
    app.schedule('heartbeat', { every: '1m' }, app.taskNamed('echo')!, { ping: true });
    worker = app.worker({ concurrency: 4, pollInterval: '50ms' });
    await worker.start();
    server = createServer(nodeHandler(dashboardOf(app, { refreshMs: 500 })));
    origin = await listen(server, '127.0.0.1');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    releaseSlow();
    await worker?.stop({ grace: '1s' });
  });

  async function newPage(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme });
    page.setDefaultTimeout(TIMEOUT);
    return page;
  }

  it('finds a failed job, retries it, and sees it succeed without reloading', async () => {
    const page = await newPage();
    try {
      await page.goto(`${origin}/errand/`);
      await page.locator('.card.state-failed').click();
      await page.waitForURL(/\/errand\/jobs\?state=failed/);
      await page.locator(`a[href="/errand/jobs/${seeded.ids.failed}"]`).first().click();
      await page.waitForURL(new RegExp(`/errand/jobs/${seeded.ids.failed}$`));
      await page.locator('h1 .badge.state-failed').waitFor();
      assert.match(
        await page.locator('.attempt-error .error-text').innerText(),
        /the ledger for 2026-10 is locked/,
      );
      await page.locator('details[data-key="stack-1"] summary').click();
      await screenshot(page, 'dashboard-job.png', true);

      seeded.failing.value = false;
      let reloaded = false;
      page.on('load', () => (reloaded = true));
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.locator('#toast.show').waitFor();
      assert.match(await page.locator('#toast').innerText(), /queued again/);
      await page.locator('h1 .badge.state-succeeded').waitFor();
      assert.equal(reloaded, false, 'the page updated itself');
      assert.match(await page.locator('.panel pre.json').last().innerText(), /reports\/2026-10\.pdf/);
      await screenshot(page, 'dashboard-job-succeeded.png');
    } finally {
      await page.close();
    }
  });

  it('shows a payload holding a script and HTML as text, and runs none of it', async () => {
    const page = await newPage();
    try {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      for (const id of [seeded.ids.xss, seeded.ids.htmlNamed]) {
        await page.goto(`${origin}/errand/jobs/${id}`);
        const input = await page.locator('pre.json').first().innerText();
        assert.ok(input.includes('<script>window.__xss = true</script>'), 'the script shows as text');
        assert.ok(input.includes('<b>bold</b> & \\"quotes\\"'), 'the HTML shows as text');
        assert.equal(
          await page.locator('main img, main b, main script').count(),
          0,
          'no element came from a payload',
        );
      }
      assert.match(await page.locator('h1').innerText(), /<img src=x onerror="window.__xss=true">task/);
      await page.goto(`${origin}/errand/jobs`);
      await page.goto(`${origin}/errand/`);
      assert.equal(await page.evaluate(() => (globalThis as { __xss?: boolean }).__xss), undefined);
      assert.deepEqual(dialogs, []);
    } finally {
      await page.close();
    }
  });

  it("refuses an action without the page's token, and a form posted from another site", async () => {
    const page = await newPage();
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form method="post" action="${origin}/errand/actions/jobs/${seeded.ids.queued}/delete"></form>
        <script>document.forms[0].submit()</script>`);
    });
    // Another port is another origin: a site the operator happens to visit.
    const evilOrigin = await listen(evil, '127.0.0.1');
    try {
      await page.goto(`${origin}/errand/`);
      const statuses = await page.evaluate(async (id) => {
        const bare = await fetch(`/errand/actions/jobs/${id}/delete`, { method: 'POST' });
        const forged = await fetch(`/errand/actions/jobs/${id}/delete`, {
          method: 'POST',
          headers: { 'X-Errand-Csrf': 'guessed-guessed-guessed-guessed' },
        });
        return [bare.status, forged.status];
      }, seeded.ids.queued);
      assert.deepEqual(statuses, [403, 403]);
      await page.goto(evilOrigin);
      await page.waitForURL(`${origin}/errand/actions/jobs/${seeded.ids.queued}/delete`);
      assert.match(await page.locator('body').innerText(), /lacks the page token/);
      assert.notEqual(await seeded.app.job(seeded.ids.queued).status(), null, 'the job is still there');
    } finally {
      await page.close();
      await new Promise((resolve) => evil.close(resolve));
    }
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
  it(
    'refuses a browser reaching it beyond loopback when no auth is set',
    { skip: external === undefined ? 'this machine has no non-loopback IPv4 address' : false },
    async () => {
      const outside = createServer(nodeHandler(dashboardOf(seeded.app)));
      const url = await listen(outside, external!);
      const page = await newPage();
      try {
        const response = await page.goto(`${url}/errand/`);
        assert.equal(response?.status(), 403);
        assert.match(await page.locator('body').innerText(), /only on this machine/);
      } finally {
        await page.close();
        await new Promise((resolve) => outside.close(resolve));
      }
    },
  );

  it('renders every page, light and dark, for the screenshots', async () => {
    // The pages as an app's operators see them, without the test's hostile jobs.
    for (const id of [seeded.ids.xss, seeded.ids.htmlNamed])
      assert.equal(await seeded.app.deleteJob(id), true);
    for (const scheme of ['light', 'dark'] as const) {
      const page = await newPage(scheme);
      try {
        const suffix = scheme === 'dark' ? '-dark' : '';
        await page.goto(`${origin}/errand/`);
        assert.ok(
          (await page.locator('.chart rect.bar-succeeded').count()) > 30,
          'the chart has an hour of bars',
        );
        await screenshot(page, `dashboard-queues${suffix}.png`, true);
        await page.goto(`${origin}/errand/jobs`);
        await page.locator('table.jobs tbody tr').first().waitFor();
        await screenshot(page, `dashboard-jobs${suffix}.png`, scheme === 'light');
        await page.goto(`${origin}/errand/workers`);
        await page.locator('a.chip', { hasText: 'export-csv' }).waitFor();
        await screenshot(page, `dashboard-workers${suffix}.png`);
        await page.goto(`${origin}/errand/schedules`);
        await page.locator('text=nightly-cleanup').waitFor();
        await screenshot(page, `dashboard-schedules${suffix}.png`);
        const running = (await seeded.app.jobs({ state: 'running', queue: 'exports' })).jobs[0];
        await page.goto(`${origin}/errand/jobs/${running!.id}`);
        await page.locator('progress').waitFor();
        await screenshot(page, `dashboard-job-running${suffix}.png`, scheme === 'dark');
      } finally {
        await page.close();
      }
    }
  });
});
