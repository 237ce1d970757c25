/**
 * The demo's scheduled clean-ups of the exports folder: the nightly one removes finished exports past
 * their age and keeps the rest; the every-minute sweep removes only partial files nothing writes any more.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import {
  cleanUpExportsHandler,
  sweepPartialExportsHandler,
} from '../../examples/demo/tasks/export-cleanup.ts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'errand-demo-exports-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `name` in the exports folder, last modified `ageMs` ago. */
function file(name: string, ageMs: number): void {
  const full = path.join(dir, name);
  writeFileSync(full, 'order_id\r\n');
  const at = new Date(Date.now() - ageMs);
  utimesSync(full, at, at);
}

const HOUR = 3_600_000;

test('the nightly clean-up removes exports older than its limit and keeps newer ones and partial files', async () => {
  file('orders-1.csv', 30 * HOUR);
  file('orders-2.csv', 2 * HOUR);
  file('orders-3.csv.part', 30 * HOUR);
  const result = await cleanUpExportsHandler(dir)({ olderThanHours: 24 });
  assert.deepEqual(result, { removed: 1, kept: 1 });
  assert.deepEqual(readdirSync(dir).sort(), ['orders-2.csv', 'orders-3.csv.part']);
});

test('the sweep removes partial files idle past its limit, not one still being written, nor finished exports', async () => {
  file('orders-4.csv.part', 11 * 60_000);
  file('orders-5.csv.part', 1_000);
  file('orders-6.csv', 48 * HOUR);
  const result = await sweepPartialExportsHandler(dir)({ idleMinutes: 10 });
  assert.deepEqual(result, { removed: 1 });
  assert.deepEqual(readdirSync(dir).sort(), ['orders-5.csv.part', 'orders-6.csv']);
});

test('both clean-ups find nothing to do before the first export made the folder', async () => {
  const missing = path.join(dir, 'exports');
  assert.deepEqual(await cleanUpExportsHandler(missing)({ olderThanHours: 24 }), { removed: 0, kept: 0 });
  assert.deepEqual(await sweepPartialExportsHandler(missing)({ idleMinutes: 10 }), { removed: 0 });
});
