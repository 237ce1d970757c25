import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createErrand } from '@errand/core';
import { errand, finished, spawnErrand, tempStore, waitFor } from './helpers.ts';

const store = tempStore();
const env = { ERRAND_URL: store.url };
after(() => store.remove());

const APP = 'test/cli/fixtures/apps/scheduled.ts';

interface ListedSchedule {
  name: string;
  task: string;
  timing: unknown;
  paused: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  declaredAt: string;
  declared: boolean;
}

interface ListedQueue {
  queue: string;
  paused: boolean;
  counts: Record<string, number>;
}

async function json<T>(args: string[]): Promise<T> {
  const result = await errand([...args, '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

async function stateOf(id: string): Promise<string> {
  return (await json<{ state: string }>(['job', id])).state;
}

test('a worker records its schedules: listed with their next run, paused and resumed by name', async () => {
  // A queue paused before its job arrives: the worker must leave that job alone until it is resumed.
  const pausedFirst = await errand(['queue', 'pause', 'emails'], env);
  assert.equal(pausedFirst.code, 0, pausedFirst.stderr);
  assert.equal(
    pausedFirst.stdout,
    'queue emails paused (it holds no job yet); workers take no job from it until "errand queue resume emails"\n',
  );
  const [held, free] = await Promise.all(
    [['--queue', 'emails'], []].map(async (queue) => {
      const enqueued = await errand(['enqueue', 'ping', 'null', ...queue, '--app', APP], env);
      assert.equal(enqueued.code, 0, enqueued.stderr);
      return enqueued.stdout.trim();
    }),
  );

  const worker = spawnErrand(['worker', APP], env);
  const exited = finished(worker);
  try {
    await waitFor('the worker to record its schedules', async () => {
      return (await json<ListedSchedule[]>(['schedules'])).length === 2;
    });
    await waitFor('the job on the free queue to run', async () => (await stateOf(free!)) === 'succeeded');
    assert.equal(await stateOf(held!), 'queued', 'a paused queue keeps its job');

    const [hourly, nightly] = await json<ListedSchedule[]>(['schedules']);
    assert.deepEqual(
      [hourly!.name, hourly!.task, hourly!.timing, hourly!.paused, hourly!.lastRunAt, hourly!.declared],
      ['hourly-ping', 'ping', { every: 3_600_000 }, false, null, true],
    );
    assert.equal(Date.parse(hourly!.nextRunAt!), (Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000);
    assert.deepEqual(nightly!.timing, { cron: '0 3 * * *', tz: 'Europe/Paris' });
    const parisHour = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(nightly!.nextRunAt!));
    assert.equal(parisHour, '03:00');

    const listed = await errand(['schedules'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+TASK\s+TIMING\s+LAST RUN\s+NEXT RUN\s+PAUSED$/);
    assert.match(
      lines[1]!,
      /^hourly-ping\s+ping\s+every 1h\s+-\s+\d{4}-\d\d-\d\d \d\d:00:00 \(in [^)]+\)\s+no$/,
    );
    assert.match(
      lines[2]!,
      /^nightly-report\s+ping\s+cron 0 3 \* \* \* Europe\/Paris\s+-\s+\S+ \S+ \(in [^)]+\)\s+no$/,
    );
    assert.equal(lines.length, 3, 'no schedule marked as undeclared');

    const resumed = await errand(['queue', 'resume', 'emails'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, 'queue emails resumed; 1 waiting job\n');
    await waitFor('the held job to run once its queue is resumed', async () => {
      return (await stateOf(held!)) === 'succeeded';
    });
  } finally {
    worker.kill('SIGTERM');
  }
  const stopped = await exited;
  assert.equal(stopped.code, 0, stopped.stderr);

  const paused = await errand(['schedule', 'pause', 'hourly-ping'], env);
  assert.equal(paused.code, 0, paused.stderr);
  assert.equal(
    paused.stdout,
    'schedule hourly-ping paused; no tick fires until "errand schedule resume hourly-ping"\n',
  );
  const [whilePaused, pausedAgain] = await Promise.all([
    json<ListedSchedule[]>(['schedules']),
    errand(['schedule', 'pause', 'hourly-ping'], env),
  ]);
  assert.deepEqual(
    whilePaused.map((schedule) => [schedule.name, schedule.paused, schedule.nextRunAt === null]),
    [
      ['hourly-ping', true, true],
      ['nightly-report', false, false],
    ],
  );
  assert.equal(pausedAgain.stdout, 'schedule hourly-ping was paused already\n');
  assert.match((await errand(['schedules'], env)).stdout, /^hourly-ping\s+ping\s+every 1h\s+-\s+-\s+yes$/m);

  const resumed = await errand(['schedule', 'resume', 'hourly-ping'], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /^schedule hourly-ping resumed; next run \S+ \S+ \(in [^)]+\)\n$/);
  assert.equal((await json<ListedSchedule[]>(['schedules']))[0]!.paused, false);
});

test('unknown schedule names, and resuming a queue that is not paused, are one clear line and exit 1', async () => {
  const [unknownPause, unknownResume, notPaused, badQueue, noSubcommand] = await Promise.all([
    errand(['schedule', 'pause', 'hourly-pong'], env),
    errand(['schedule', 'resume', 'nope'], env),
    errand(['queue', 'resume', 'emials'], env),
    errand(['queue', 'pause', 'two words'], env),
    errand(['schedule'], env),
  ]);
  for (const result of [unknownPause, unknownResume, notPaused, badQueue]) {
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  }
  assert.equal(
    unknownPause.stderr,
    'errand: no schedule "hourly-pong"; known schedules: hourly-ping, nightly-report\n',
  );
  assert.match(unknownResume.stderr, /^errand: no schedule "nope"; known schedules: /);
  assert.equal(notPaused.stderr, 'errand: queue emials is not paused (no queue is paused)\n');
  assert.match(badQueue.stderr, /^errand: queue must be 1-128 characters .*\(got "two words"\)\n$/);
  assert.equal(noSubcommand.code, 2);
  assert.match(noSubcommand.stderr, /^Usage: errand schedule <pause\|resume> <name>/);

  const empty = tempStore();
  try {
    const none = await errand(['schedule', 'pause', 'nightly'], { ERRAND_URL: empty.url });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^errand: no schedule "nightly": none is recorded \(a worker records/);
  } finally {
    empty.remove();
  }
});

test('schedules marks one no running worker has declared lately; queues lists counts and paused queues', async () => {
  // An old declaration, as a schedule removed from the code leaves behind.
  const app = createErrand({ backend: store.url });
  try {
    const backend = await app.storage();
    const longAgo = Date.now() - 10 * 60_000;
    await backend.recordSchedules(
      [{ name: 'removed', task: 'ping', spec: '{"every":60000}', payload: 'null' }],
      longAgo,
    );
    const removed = (await json<ListedSchedule[]>(['schedules'])).find(
      (schedule) => schedule.name === 'removed',
    );
    assert.equal(removed!.declared, false);
    const listed = await errand(['schedules'], env);
    assert.match(
      listed.stdout,
      /\n\nremoved: not declared by a running worker since \S+ \S+ \(10m ago\); it fires only while a worker whose app declares it runs\n$/,
    );

    await app.pauseQueue('bulk');
    const queues = await json<ListedQueue[]>(['queues']);
    assert.deepEqual(
      queues.map(({ queue, paused }) => [queue, paused]),
      [
        ['bulk', true],
        ['default', false],
        ['emails', false],
      ],
    );
    assert.equal(queues[0]!.counts.total, 0);
    assert.equal(queues[2]!.counts.succeeded, 1);
    const text = await errand(['queues'], env);
    assert.equal(text.code, 0, text.stderr);
    const [header, bulk] = text.stdout.split('\n');
    assert.match(
      header!,
      /^QUEUE\s+SCHEDULED\s+QUEUED\s+RUNNING\s+SUCCEEDED\s+FAILED\s+CANCELLED\s+TOTAL\s+PAUSED$/,
    );
    assert.match(bulk!, /^bulk(\s+0){7}\s+yes$/);
    assert.match(text.stdout, /^emails\s+0\s+0\s+0\s+1\s+0\s+0\s+1\s+no$/m);
    const again = await errand(['queue', 'pause', 'bulk'], env);
    assert.equal(again.stdout, 'queue bulk was paused already\n');
  } finally {
    await app.close();
  }
});
