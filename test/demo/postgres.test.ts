/**
 * The demo unchanged on PostgreSQL (ERRAND_URL in a schema of the test's own): a sign-up's email
 * reaches the outbox, an export completes and downloads, the worker's schedules are recorded.
 * Plain HTTP, no browser: the pages are the same as on SQLite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dropSchema, testSchemaName } from '../postgres/test-schema.ts';
import { POSTGRES_URL, skipUnlessReachable } from '../support/services.ts';
import { parseCsv } from './csv-check.ts';
import { eventually, startDemo, type RunningDemo } from './demo-process.ts';

const EXPORT_ROWS = 2_000;

describe(
  'the demo on PostgreSQL',
  { skip: await skipUnlessReachable(POSTGRES_URL), timeout: 120_000 },
  () => {
    const schema = testSchemaName();
    let demo: RunningDemo;

    before(async () => {
      const errandUrl = new URL(POSTGRES_URL);
      errandUrl.searchParams.set('schema', schema);
      demo = await startDemo({
        errandUrl: errandUrl.toString(),
        exportRows: EXPORT_ROWS,
        exportRowsPerSecond: 4_000,
        smtpLatencyMs: 100,
      });
    });

    after(async () => {
      await demo?.stop();
      await dropSchema(schema);
    });

    test('a sign-up enqueues the email, which reaches the outbox', async () => {
      const jobId = await submit(demo, '/signup', { name: 'Grace', email: 'grace@example.com' });
      assert.equal((await finished(demo, jobId)).state, 'succeeded');
      assert.match(await (await fetch(`${demo.url}/outbox`)).text(), /class="recipient">grace@example\.com</);
    });

    test('an export runs to the end and downloads with every row', async () => {
      const jobId = await submit(demo, '/exports', {});
      const view = await finished(demo, jobId);
      assert.equal(view.state, 'succeeded');
      const response = await fetch(`${demo.url}${view.downloadUrl}`);
      assert.equal(response.status, 200);
      const rows = parseCsv(await response.text());
      assert.equal(rows.length, 1 + EXPORT_ROWS);
      assert.equal(rows.at(-1)![0], String(EXPORT_ROWS));
    });

    test('the worker records both schedules in the store', async () => {
      const page = await eventually('both schedules on the page', async () => {
        const html = await (await fetch(`${demo.url}/schedules`)).text();
        return html.includes('data-schedule="nightly-export-clean-up"') &&
          html.includes('data-schedule="sweep-partial-exports"')
          ? html
          : undefined;
      });
      assert.match(page, /cron 0 3 \* \* \*/);
    });
  },
);

/** Posts a form as the page would and returns the id of the job it enqueued (from the redirect). */
async function submit(demo: RunningDemo, path: string, fields: Record<string, string>): Promise<string> {
  const response = await fetch(`${demo.url}${path}`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { Origin: demo.url },
    redirect: 'manual',
  });
  assert.equal(response.status, 303, `POST ${path} answered ${response.status}: ${await response.text()}`);
  const jobId = new URL(response.headers.get('location')!, demo.url).searchParams.get('job');
  assert.ok(jobId, `POST ${path} redirected to ${response.headers.get('location')} without a job id`);
  return jobId;
}

interface JobView {
  state: string;
  finished: boolean;
  downloadUrl: string | null;
}

function finished(demo: RunningDemo, jobId: string): Promise<JobView> {
  return eventually(`job ${jobId} to finish`, async () => {
    const view = (await (await fetch(`${demo.url}/api/jobs/${jobId}`)).json()) as JobView;
    return view.finished ? view : undefined;
  });
}
