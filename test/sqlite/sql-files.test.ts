// Conventions of the SQLite backend's query files that a reader would not see break.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const SQL_DIR = new URL('../../packages/sqlite/src/sql/', import.meta.url);

describe('the sqlite query files', () => {
  it('no LIMIT takes a bare parameter (SQLite would prepare the statement again on every run)', () => {
    for (const file of readdirSync(SQL_DIR).filter((name) => name.endsWith('.sql'))) {
      const text = readFileSync(new URL(file, SQL_DIR), 'utf8').replace(/--.*$/gm, '');
      for (const [limit, , operator] of text.matchAll(/\bLIMIT\s+([:@$?][A-Za-z0-9_]*)(\s*[-+*/])?/g)) {
        assert.ok(operator, `${file}: "${limit}": write LIMIT :limit + 0 (see packages/sqlite/src/sql.ts)`);
      }
    }
  });
});
