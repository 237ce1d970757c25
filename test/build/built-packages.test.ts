import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { skipOrFailInCi } from '../support/skip.ts';

/**
 * What a user installs runs from dist/, with plain node: no tsx, no `errand-source` condition.
 * `npm test` builds before it runs the tests (`npm run build`).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = readdirSync(path.join(ROOT, 'packages'));

function skipUnlessBuilt(): string | false {
  const missing = PACKAGES.filter((name) => !existsSync(path.join(ROOT, 'packages', name, 'dist')));
  if (missing.length === 0) return false;
  return skipOrFailInCi(
    'the built-package tests',
    `packages not built (${missing.join(', ')}): run npm run build`,
    '',
  );
}

const PLAIN_NODE_APP = `
import { createErrand } from 'errand';
import { postgresBackend } from '@errand/postgres';
import { redisBackend } from '@errand/redis';
import { buildProgram } from '@errand/cli';
const app = createErrand({ backend: 'sqlite::memory:', logger: { debug() {}, info() {}, warn() {}, error() {} } });
const double = app.task('double', (n) => n * 2);
const worker = app.worker();
await worker.start();
const result = await (await double.enqueue(21)).result({ timeout: '5s' });
await worker.stop();
await app.close();
console.log(JSON.stringify({
  result,
  postgres: typeof postgresBackend,
  redis: typeof redisBackend,
  cli: typeof buildProgram,
  resolved: ['errand', '@errand/core', '@errand/sqlite', '@errand/postgres', '@errand/redis', '@errand/cli']
    .map((name) => import.meta.resolve(name)),
}));
`;

describe('the built packages', { skip: skipUnlessBuilt() }, () => {
  it('run a job with plain node, resolving every package to dist/', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '--eval', PLAIN_NODE_APP],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const report = JSON.parse(stdout) as Record<string, unknown> & { resolved: string[] };
    const { resolved, ...loaded } = report;
    assert.deepEqual(loaded, { result: 42, postgres: 'function', redis: 'function', cli: 'function' });
    for (const url of resolved) assert.match(url, /\/packages\/[a-z]+\/dist\/index\.js$/);
  });

  it('carry type declarations for every entry point they export', () => {
    for (const name of PACKAGES) {
      const manifest = JSON.parse(
        readFileSync(path.join(ROOT, 'packages', name, 'package.json'), 'utf8'),
      ) as { exports: Record<string, { types: string; default: string }> };
      for (const [entry, targets] of Object.entries(manifest.exports)) {
        for (const file of [targets.types, targets.default]) {
          assert.ok(
            existsSync(path.join(ROOT, 'packages', name, file)),
            `${name} ${entry}: ${file} is missing from the build`,
          );
        }
      }
    }
  });
});
