import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { errand, FIXTURE, tempStore } from './helpers.ts';

const store = tempStore();
const env = { ERRAND_URL: store.url };
after(() => store.remove());

let id: string;
before(async () => {
  const enqueued = await errand(
    ['enqueue', 'send-email', '{"to":"ada@example.com","subject":"hi"}', '--app', FIXTURE],
    env,
  );
  assert.equal(enqueued.code, 0, enqueued.stderr);
  id = enqueued.stdout.trim();
});

test('enqueue prints the new job id, and jobs lists it', async () => {
  assert.match(id, /^\d+$/);
  const listed = await errand(['jobs'], env);
  assert.equal(listed.code, 0, listed.stderr);
  const [header, row] = listed.stdout.split('\n');
  assert.match(header!, /^ID\s+TASK\s+QUEUE\s+STATE\s+ATTEMPT\s+WHEN$/);
  assert.match(row!, new RegExp(`^${id}\\s+send-email\\s+default\\s+queued\\s+0/4\\s+runs now$`));
});

test('job <id> shows the input, and --json the whole job', async () => {
  const [text, json] = await Promise.all([errand(['job', id], env), errand(['job', id, '--json'], env)]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /state\s+queued/);
  assert.match(text.stdout, /input\n {2}\{\n {4}"to": "ada@example.com",\n {4}"subject": "hi"\n {2}\}/);
  const job = JSON.parse(json.stdout) as { id: string; task: string; input: unknown; errors: unknown[] };
  assert.equal(job.id, id);
  assert.equal(job.task, 'send-email');
  assert.deepEqual(job.input, { to: 'ada@example.com', subject: 'hi' });
  assert.deepEqual(job.errors, []);
});

test('enqueue --delay schedules the job; --queue and --priority apply', async () => {
  const enqueued = await errand(
    [
      'enqueue',
      'orphan',
      '{"n":1}',
      '--delay',
      '5m',
      '--queue',
      'later',
      '--priority',
      '-2',
      '--app',
      FIXTURE,
    ],
    env,
  );
  assert.equal(enqueued.code, 0, enqueued.stderr);
  const shown = await errand(['job', enqueued.stdout.trim(), '--json'], env);
  const job = JSON.parse(shown.stdout) as { state: string; queue: string; priority: number; runAt: string };
  assert.deepEqual([job.state, job.queue, job.priority], ['scheduled', 'later', -2]);
  const inMs = Date.parse(job.runAt) - Date.now();
  assert.ok(inMs > 4 * 60_000 && inMs <= 5 * 60_000, `runAt is ${inMs} ms away`);
});

test('mistakes are one line on stderr and a non-zero exit, and nothing is enqueued', async () => {
  const [unknown, badJson, invalid, badDelay] = await Promise.all([
    errand(['enqueue', 'send-emial', '{}', '--app', FIXTURE], env),
    errand(['enqueue', 'send-email', '{"to":', '--app', FIXTURE], env),
    errand(['enqueue', 'send-email', '{"to":42}', '--app', FIXTURE], env),
    errand(['enqueue', 'send-email', '{}', '--delay', 'soon', '--app', FIXTURE], env),
  ]);
  for (const result of [unknown, badJson, invalid, badDelay]) {
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }
  assert.match(
    unknown.stderr,
    /no task "send-emial".*did you mean "send-email".*known tasks: send-email, always-fails/,
  );
  assert.match(badJson.stderr, /the input '\{"to":' is not valid JSON/);
  assert.match(invalid.stderr, /Task "send-email" input: "to"/);
  assert.match(badDelay.stderr, /--delay/);
  assert.equal(badDelay.code, 2);
  const listed = await errand(['jobs', '--task', 'send-email', '--json'], env);
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { jobs: { id: string }[] }).jobs.map((job) => job.id),
    [id],
  );
});

test('jobs pages with --limit and prints the command for the next page', async () => {
  const first = await errand(['jobs', '--limit', '1'], env);
  assert.equal(first.code, 0, first.stderr);
  const hint = /^more: errand jobs --limit 1 --before (\d+)$/m.exec(first.stdout);
  assert.ok(hint, first.stdout);
  assert.equal(first.stdout.split('\n').filter((line) => /^\d+ /.test(line)).length, 1);
  const second = await errand(['jobs', '--limit', '1', '--before', hint[1]!, '--json'], env);
  const page = JSON.parse(second.stdout) as { jobs: { id: string }[]; next: string | null };
  assert.equal(page.jobs.length, 1);
  assert.ok(Number(page.jobs[0]!.id) < Number(hint[1]));
});
