import assert from 'node:assert/strict';

import type { WorkerRecord } from '@errand/core';

import { NOW, type ContractTest } from '../helpers.ts';

function worker(overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    id: 'worker-1',
    hostname: 'web-1',
    pid: 4242,
    queues: null,
    tasks: ['send-email', 'resize-image'],
    concurrency: 4,
    startedAt: NOW - 60_000,
    heartbeatAt: NOW,
    ...overrides,
  };
}

function byId(workers: readonly WorkerRecord[]): WorkerRecord[] {
  return [...workers].sort((a, b) => a.id.localeCompare(b.id));
}

export function workerCases(test: ContractTest): void {
  test('listWorkers returns recorded workers as they were recorded', async (backend) => {
    const all = worker({ id: 'all-queues', queues: null });
    const some = worker({ id: 'some-queues', queues: ['mail', 'media'], tasks: ['send-email'] });
    await backend.recordWorker(all);
    await backend.recordWorker(some);
    assert.deepEqual(byId(await backend.listWorkers({ seenSince: 0 })), [all, some]);
  });

  test('recordWorker with a known id replaces that worker', async (backend) => {
    await backend.recordWorker(worker({ heartbeatAt: NOW }));
    const later = worker({ heartbeatAt: NOW + 5_000, concurrency: 8 });
    await backend.recordWorker(later);
    assert.deepEqual(await backend.listWorkers({ seenSince: 0 }), [later]);
  });

  test('listWorkers returns only workers seen at or after seenSince', async (backend) => {
    await backend.recordWorker(worker({ id: 'gone', heartbeatAt: NOW - 1 }));
    await backend.recordWorker(worker({ id: 'just-in-time', heartbeatAt: NOW }));
    await backend.recordWorker(worker({ id: 'fresh', heartbeatAt: NOW + 1 }));
    const ids = (await backend.listWorkers({ seenSince: NOW })).map((w) => w.id).sort();
    assert.deepEqual(ids, ['fresh', 'just-in-time']);
  });

  test('removeWorker forgets that worker only', async (backend) => {
    await backend.recordWorker(worker({ id: 'leaving' }));
    await backend.recordWorker(worker({ id: 'staying' }));
    await backend.removeWorker('leaving');
    const ids = (await backend.listWorkers({ seenSince: 0 })).map((w) => w.id);
    assert.deepEqual(ids, ['staying']);
  });

  test('removeWorker of an unknown id is harmless', async (backend) => {
    await backend.recordWorker(worker());
    await backend.removeWorker('never-recorded');
    assert.equal((await backend.listWorkers({ seenSince: 0 })).length, 1);
  });

  test('changing a worker record after recordWorker or listWorkers does not change it', async (backend) => {
    const recorded = worker({ queues: ['mail'], tasks: ['send-email'] });
    await backend.recordWorker(recorded);
    recorded.queues?.push('changed-by-the-caller');
    recorded.tasks.push('changed-by-the-caller');
    const [read] = await backend.listWorkers({ seenSince: 0 });
    read?.tasks.push('changed-by-the-reader');
    assert.deepEqual(await backend.listWorkers({ seenSince: 0 }), [
      worker({ queues: ['mail'], tasks: ['send-email'] }),
    ]);
  });
}
