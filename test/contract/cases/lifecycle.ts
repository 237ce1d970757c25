import assert from 'node:assert/strict';

import { insertOne, mustGet, type ContractTest } from '../helpers.ts';

export function lifecycleCases(test: ContractTest): void {
  test('calling init again is harmless and keeps the stored jobs', async (backend) => {
    const id = await insertOne(backend);
    await backend.init();
    assert.equal((await mustGet(backend, id)).state, 'queued');
    const next = await insertOne(backend);
    assert.ok(BigInt(next) > BigInt(id), 'ids keep increasing after a second init');
  });

  test('calling close twice is harmless', async (backend) => {
    await backend.close();
    await backend.close();
  });

  test('kind is a short name for logs', async (backend) => {
    assert.match(backend.kind, /^\S{1,32}$/);
  });
}
