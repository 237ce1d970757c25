#!/usr/bin/env node
// Runs node's built-in test runner on every *.test.ts file under test/ and packages/*/src/.
// Node 20's `node --test` neither expands globs nor finds .ts files, so we find them here.
//
//   npm run test:unit                                   every test file
//   npm run test:unit -- test/contract                  files under a path (or that exact file)
//   npm run test:unit -- backoff                        files whose path contains "backoff"
//   npm run test:unit -- --test-name-pattern=claim      arguments starting with "-" go to node
//
// Each file runs in its own process. ERRAND_TEST_CONCURRENCY sets how many run at once.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEARCH_ROOTS = ['test', 'packages'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'test-artifacts', '.tmp']);
const TEST_FILE = /\.test\.m?ts$/;

function findTestFiles(dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTestFiles(full, found);
    else if (entry.isFile() && TEST_FILE.test(entry.name)) found.push(full);
  }
  return found;
}

const nodeOptions = [];
const filters = [];
for (const arg of process.argv.slice(2)) (arg.startsWith('-') ? nodeOptions : filters).push(arg);

const allFiles = SEARCH_ROOTS.flatMap((dir) => findTestFiles(path.join(root, dir))).sort();

function matches(file, filter) {
  const target = path.resolve(filter);
  if (existsSync(target)) return file === target || file.startsWith(target + path.sep);
  return path.relative(root, file).includes(filter);
}

const files = filters.length ? allFiles.filter((file) => filters.some((f) => matches(file, f))) : allFiles;

if (files.length === 0) {
  if (filters.length) {
    console.error(`run-tests: no test file matches ${filters.map((f) => JSON.stringify(f)).join(', ')}`);
    process.exit(1);
  }
  console.warn(`run-tests: no *.test.ts files under ${SEARCH_ROOTS.join('/, ')}/; nothing to run`);
  process.exit(0);
}

const concurrency = Number(process.env.ERRAND_TEST_CONCURRENCY) || Math.max(2, availableParallelism() - 1);

const args = [
  '--conditions=errand-source',
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  `--test-concurrency=${concurrency}`,
  ...nodeOptions,
  ...files.map((file) => path.relative(process.cwd(), file)),
];

const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) {
    console.error(`run-tests: the test runner was killed by ${signal}`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
