// better-sqlite3 13 on a Node without Node-API 10 segfaults in new Database(); errand refuses first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertDriverRunsHere, driverMismatch } from '../../packages/sqlite/src/driver-support.ts';

describe('sqlite: the better-sqlite3 this Node can run', () => {
  it('refuses better-sqlite3 13 or later on a Node with Node-API 9, saying what to install', () => {
    const message = driverMismatch('13.2.0', 9, 'v20.20.2');
    assert.equal(
      message,
      'sqlite backend: better-sqlite3 13.2.0 needs Node-API 10 (Node 22.14 or later), and Node v20.20.2 has ' +
        'Node-API 9; it would crash the process. Install better-sqlite3 12 (npm install better-sqlite3@^12.11.1) ' +
        'or run a newer Node.',
    );
    assert.match(driverMismatch('14.0.1', 9, 'v22.13.1') ?? '', /better-sqlite3 14\.0\.1 needs Node-API 10/);
  });

  it('accepts better-sqlite3 13 with Node-API 10 or later, and 12 on any Node errand supports', () => {
    assert.equal(driverMismatch('13.2.0', 10, 'v22.14.0'), null);
    assert.equal(driverMismatch('13.0.3', 10, 'v24.21.0'), null);
    assert.equal(driverMismatch('12.11.1', 9, 'v20.20.2'), null);
    assert.equal(driverMismatch('12.11.1', 10, 'v24.21.0'), null);
  });

  it('finds the installed better-sqlite3 runnable on the Node running the tests', () => {
    assert.doesNotThrow(assertDriverRunsHere);
  });
});
