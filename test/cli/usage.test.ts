import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { after, test } from 'node:test';
import { buildProgram } from '@errand/cli';
import { JOB_STATES } from '@errand/core';
import { errand, finished, FIXTURE, ROOT, tempStore } from './helpers.ts';

const env = { ERRAND_URL: 'memory:' };
const COMMANDS = [
  'worker',
  'enqueue',
  'jobs',
  'job',
  'retry',
  'cancel',
  'stats',
  'migrate',
  'queues',
  'queue',
  'schedules',
  'schedule',
  'dashboard',
];

test('errand --help lists every command; errand help <command> shows its options and an example', async () => {
  const [overview, jobsHelp] = await Promise.all([errand(['--help'], env), errand(['help', 'jobs'], env)]);
  assert.equal(overview.code, 0);
  for (const command of COMMANDS) assert.match(overview.stdout, new RegExp(`^ {2}${command} `, 'm'));
  assert.equal(jobsHelp.code, 0, jobsHelp.stderr);
  assert.match(jobsHelp.stdout, /^Usage: errand jobs \[options\]\n/);

  // The other commands' help, in this process (each spawn costs half a second).
  const program = buildProgram();
  assert.deepEqual(
    program.commands.map((command) => command.name()),
    COMMANDS,
  );
  // Subcommands too (`errand queue pause`): each has its usage and an example of its own.
  const commands = program.commands.flatMap((command) => [
    { command, words: command.name() },
    ...command.commands.map((sub) => ({ command: sub, words: `${command.name()} ${sub.name()}` })),
  ]);
  for (const { command, words } of commands) {
    let help = '';
    command.configureOutput({ writeOut: (text) => (help += text) });
    command.outputHelp();
    assert.match(help, new RegExp(`^Usage: errand ${words}\\b`));
    assert.match(help, new RegExp(`Examples:\n {2}\\$ errand ${words}\\b`));
  }
});

test('usage mistakes are one line and exit code 2', async () => {
  const [badState, noApp, unknownCommand, badConcurrency, badPrefetch] = await Promise.all([
    errand(['jobs', '--state', 'done'], env),
    errand(['enqueue', 'send-email', '{}'], env),
    errand(['jobz'], env),
    errand(['worker', FIXTURE, '--concurrency', '0'], env),
    errand(['worker', FIXTURE, '--prefetch', 'lots'], env),
  ]);
  for (const result of [badState, noApp, unknownCommand, badConcurrency, badPrefetch]) {
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^errand: /);
  }
  for (const result of [badState, noApp, badConcurrency, badPrefetch]) {
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  }
  assert.match(
    badState.stderr,
    new RegExp(`'done' is invalid. Allowed choices are ${JOB_STATES.join(', ')}`),
  );
  assert.match(noApp.stderr, /required option '--app <module>' not specified/);
  assert.equal(unknownCommand.stderr, "errand: unknown command 'jobz'\n(Did you mean one of job, jobs?)\n");
  assert.match(badConcurrency.stderr, /--concurrency.*Expected a whole number >= 1/);
  assert.match(badPrefetch.stderr, /--prefetch.*Expected a whole number >= 0/);
});

test('--app names the module whose backend a command uses; a bad module is one clear line', async () => {
  const [missing, noApp, worked] = await Promise.all([
    errand(['jobs', '--app', 'test/cli/fixtures/nowhere.ts'], env),
    errand(['stats', '--app', 'test/cli/fixtures/apps/no-app.ts'], env),
    errand(['jobs', '--app', 'test/cli/fixtures/apps/named-app.ts'], { ERRAND_URL: 'bogus:' }),
  ]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^errand: cannot find the app module test\/cli\/fixtures\/nowhere\.ts \(looked for .*\)\n$/,
  );
  assert.equal(noApp.code, 1);
  assert.match(noApp.stderr, /^errand: .*no-app\.ts exports no errand app; .*\n$/);
  assert.equal(worked.code, 0, worked.stderr);
  assert.equal(worked.stdout, 'no jobs\n');
});

test('a worker whose app implements no task says so', async () => {
  const result = await errand(['worker', 'test/cli/fixtures/apps/declared-only.ts'], env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'errand: this worker has no task to run: implement at least one task first\n');
});

const store = tempStore();
after(() => store.remove());

test('without ERRAND_URL, a command where no ./errand.db exists says so rather than create one', async () => {
  const result = await errand(['jobs'], { ERRAND_URL: undefined }, { cwd: store.dir });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^errand: no job store here: ERRAND_URL is not set and \.\/errand\.db does not exist; /,
  );
  assert.deepEqual(readdirSync(store.dir), []);
});

test('bin/errand.js loads a TypeScript app module with no loader flags', async () => {
  const child = spawn(
    process.execPath,
    ['packages/cli/bin/errand.js', 'enqueue', 'send-email', '{"to":"ada@example.com"}', '--app', FIXTURE],
    { cwd: ROOT, env: { ...process.env, ERRAND_URL: store.url }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const result = await finished(child);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^\d+\n$/);
});
