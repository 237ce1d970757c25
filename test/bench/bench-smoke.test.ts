// The benchmark still runs: `bench/run.ts --smoke` (200 jobs, one run, errand on memory and SQLite,
// no peers needed) exits 0 and prints a row with figures for each target in each of its five tables.
// It checks that the bench works, not how fast errand is.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=errand-source', '--import', 'tsx', 'bench/run.ts', ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('npm run bench -- --smoke exits 0 with a table row for each target', { timeout: 120_000 }, async () => {
  const { code, stdout, stderr } = await runBench(['--smoke']);
  assert.equal(code, 0, `bench exited with ${code}\n${stdout}\n${stderr}`);
  assert.doesNotMatch(stdout, /FAILED/, stdout);
  for (const target of ['errand-memory', 'errand-sqlite']) {
    const rows = stdout.split('\n').filter((line) => line.startsWith(`| ${target} `));
    assert.equal(rows.length, 5, `expected a row for ${target} in each of the five tables:\n${stdout}`);
    for (const row of rows) assert.match(row, /\| +[\d,.]+( MB)? +\|/, `a row with figures: ${row}`);
  }
});
