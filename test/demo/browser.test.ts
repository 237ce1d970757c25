/**
 * The demo web app in a real browser (Debian's Chromium through playwright-core), on SQLite: what a
 * person does on each page and sees happen. Screenshots of the pages go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, skipUnlessChromium } from '../support/browser.ts';
import { parseCsv } from './csv-check.ts';
import { eventually, startDemo, type RunningDemo } from './demo-process.ts';

const SMTP_LATENCY_MS = 800;
const EXPORT_ROWS = 3_000;

describe('the demo web app in a browser', { skip: skipUnlessChromium(), timeout: 180_000 }, () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  before(async () => {
    [demo, browser] = await Promise.all([
      // An export of 3,000 rows at 1,000 a second: three seconds to watch the bar move.
      startDemo({ exportRows: EXPORT_ROWS, exportRowsPerSecond: 1_000, smtpLatencyMs: SMTP_LATENCY_MS }),
      launchChromium(),
    ]);
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  test('the sign-up form answers at once, and the email arrives in the outbox', async () => {
    const name = 'Ada <script>alert("xss")</script> & co';
    await signUp(page, demo.url, name, 'ada@example.com');

    const responseMs = Number.parseFloat((await page.locator('.response-time').textContent()) ?? '');
    assert.ok(
      responseMs < SMTP_LATENCY_MS,
      `the request took ${responseMs} ms, as long as the mail server takes (${SMTP_LATENCY_MS} ms): it did not just enqueue`,
    );
    assert.match(
      (await page.locator('.notice').textContent()) ?? '',
      /Thanks, Ada <script>alert\("xss"\)<\/script> & co!/,
    );
    await waitForState(page.locator('.notice .job'), 'succeeded');
    assert.match(
      (await page.locator('.notice .job [data-field=summary]').textContent()) ?? '',
      /delivered [\d.]+ s after the request, by attempt 1:/,
    );
    await page.screenshot({ path: artifactPath('demo-sign-up.png'), fullPage: true });

    await page.click('nav >> text=Outbox');
    const message = page.locator('.message', {
      has: page.locator('.recipient', { hasText: 'ada@example.com' }),
    });
    assert.equal(await message.locator('.subject').textContent(), `Welcome to the errand demo, ${name}`);
    assert.deepEqual(dialogs, [], 'a script from the form ran');
  });

  test('with the failure switch on, the mail server refuses a delivery and the retry gets the email through', async () => {
    await page.goto(`${demo.url}/outbox`);
    await page.check('input[name=rate][value="0.5"]');
    await page.click('button:has-text("Apply")');
    assert.ok(await page.isChecked('input[name=rate][value="0.5"]'), 'the switch did not stay on');

    await signUp(page, demo.url, 'Bob', 'bob@example.com');
    await waitForState(page.locator('.notice .job'), 'succeeded');
    // Every other delivery is refused, the first one first: attempt 1 got a 451, attempt 2 went through.
    assert.match(
      (await page.locator('.notice .job [data-field=summary]').textContent()) ?? '',
      /by attempt 2 \(1 refused before\)/,
    );

    await page.click('nav >> text=Outbox');
    await page.locator('.recipient', { hasText: 'bob@example.com' }).waitFor();
    assert.equal(await page.locator('[data-count=refused]').textContent(), '1');
    assert.equal(await page.locator('[data-count=accepted]').textContent(), '2');
    await page.screenshot({ path: artifactPath('demo-outbox.png'), fullPage: true });

    await page.check('input[name=rate][value="0"]');
    await page.click('button:has-text("Apply")');
  });

  test('an export shows its progress live, then offers the CSV for download', async () => {
    await page.goto(`${demo.url}/exports`);
    await page.click('button:has-text("Export CSV")');
    const jobId = new URL(page.url()).searchParams.get('job');
    assert.ok(jobId, `the page after Export CSV has no job in its address: ${page.url()}`);
    const job = page.locator(`li.job[data-job-id="${jobId}"]`);
    const download = job.locator('a[data-field=download]');

    // Read the bar as the person watching it sees it, until the download link shows.
    const seen = new Set<number>();
    await eventually(
      'the download link',
      async () => {
        seen.add(Number(await job.locator('progress').getAttribute('value')));
        return (await download.isVisible()) ? true : undefined;
      },
      30_000,
    );
    const intermediate = [...seen].filter((value) => value > 0 && value < 100);
    assert.ok(
      intermediate.length >= 2,
      `the bar took ${[...seen].join(', ')}: fewer than two values between 0 and 100`,
    );
    assert.equal(await job.locator('progress').getAttribute('value'), '100');
    await page.screenshot({ path: artifactPath('demo-exports.png'), fullPage: true });

    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    assert.equal(file.suggestedFilename(), `orders-${jobId}.csv`);
    const text = await readFile(await file.path(), 'utf8');
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], ['order_id', 'placed_at', 'customer', 'email', 'items', 'total_eur']);
    assert.equal(rows.length, 1 + EXPORT_ROWS);
    // The first order as a spreadsheet must read it: a comma and quotes inside a quoted field.
    assert.equal(
      text.split('\r\n')[1],
      `1,2026-01-01T00:00:37.000Z,"Alan O'Neil (Globex ""Intl"")",alan.oneil.1@example.com,4,94.19`,
    );
    assert.deepEqual(rows[1]![2], `Alan O'Neil (Globex "Intl")`);
    rows.slice(1).forEach((row, index) => {
      assert.equal(row.length, 6, `row ${index + 1} has ${row.length} fields: ${row.join(' | ')}`);
      assert.equal(row[0], String(index + 1), 'the orders are not all there, in order');
      assert.match(row[5]!, /^\d+\.\d\d$/, `row ${index + 1} has a total of ${row[5]}`);
    });
  });

  test('a form posted from another site is refused and enqueues nothing', async () => {
    const response = await fetch(`${demo.url}/signup`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Mallory', email: 'mallory@example.com' }),
      headers: { Origin: 'https://evil.example' },
      redirect: 'manual',
    });
    assert.equal(response.status, 403);
    await page.goto(demo.url);
    await page.locator('.jobs .job').first().waitFor();
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /mallory@example\.com/);
  });

  test("errand's dashboard is mounted at /errand and shows the demo's jobs", async () => {
    await page.goto(demo.url);
    await page.click('nav >> text=Dashboard');
    assert.equal(new URL(page.url()).pathname, '/errand');
    const sendEmail = page.locator('tr', { has: page.locator('th a', { hasText: /^send-email$/ }) });
    await sendEmail.waitFor();
    await sendEmail.locator('th a').click();
    await page.locator('main table tbody tr', { hasText: 'send-email' }).first().waitFor();
    assert.match(new URL(page.url()).pathname, /^\/errand\/jobs/);
    await page.screenshot({ path: artifactPath('demo-dashboard.png'), fullPage: true });
  });

  test('the schedules page shows the nightly clean-up and the every-minute sweep with their next runs', async () => {
    await page.goto(demo.url);
    await page.click('nav >> text=Schedules');
    // The worker records its schedules when it starts; the page refreshes its table on its own.
    const nightly = page.locator('tr[data-schedule="nightly-export-clean-up"]');
    await nightly.waitFor({ timeout: 20_000 });
    assert.match((await nightly.textContent()) ?? '', /cron 0 3 \* \* \*.*03:00:00/s);
    const sweep = page.locator('tr[data-schedule="sweep-partial-exports"]');
    assert.match((await sweep.textContent()) ?? '', /every 1 min/);
    await page.screenshot({ path: artifactPath('demo-schedules.png'), fullPage: true });
  });
});

async function signUp(page: Page, url: string, name: string, email: string): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=email]', email);
  await page.click('button:has-text("Sign up")');
  await page.locator('.response-time').waitFor();
}

/** Waits until the page's script shows the job in `state` (it polls the job while it runs). */
async function waitForState(job: ReturnType<Page['locator']>, state: string): Promise<void> {
  await job.locator(`[data-field=state]`, { hasText: state }).waitFor({ timeout: 30_000 });
}
