import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError, loadApp } from '@errand/cli';
import { Errand } from '@errand/core';

const fixture = (name: string) => `test/cli/fixtures/${name}`;

test('takes the default export, else the export named app, else the only Errand export', async () => {
  const byDefault = await loadApp(fixture('tasks.ts'));
  assert.ok(byDefault instanceof Errand);
  assert.ok(byDefault.taskNames().includes('send-email'));
  assert.deepEqual((await loadApp(fixture('apps/named-app.ts'))).taskNames(), ['named']);
  assert.deepEqual((await loadApp(fixture('apps/only-app'))).taskNames(), ['only']);
});

test('says how to fix a module without one app, or one that is missing or throws', async () => {
  await assert.rejects(loadApp(fixture('apps/no-app.ts')), {
    name: 'CliError',
    message: /exports no errand app; export it as default \(export default createErrand\(\)\) or as "app"/,
  });
  await assert.rejects(loadApp(fixture('apps/two-apps.ts')), {
    message: /exports several errand apps \(emails, reports\); export the one to use as default or as "app"/,
  });
  await assert.rejects(loadApp(fixture('apps/missing.ts')), {
    message:
      /^cannot find the app module test\/cli\/fixtures\/apps\/missing\.ts \(looked for \/.*missing\.ts\)$/,
  });
  await assert.rejects(loadApp(fixture('apps/throws.ts')), (error: unknown) => {
    assert.ok(error instanceof CliError);
    assert.match(error.message, /^could not load .*throws\.ts: DATABASE_URL is not set$/);
    return true;
  });
});
