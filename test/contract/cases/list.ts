import assert from 'node:assert/strict';

import type { Backend, JobPage, ListFilter } from '@errand/core';

import { claimRequest, idNumber, newJob, type ContractTest } from '../helpers.ts';

/** Follows `next` from the first page to the last, returning every page. */
async function allPages(backend: Backend, filter: Omit<ListFilter, 'before'>): Promise<JobPage[]> {
  const pages: JobPage[] = [];
  let before: string | undefined;
  do {
    const page = await backend.list({ ...filter, before });
    pages.push(page);
    before = page.next ?? undefined;
    assert.ok(pages.length <= 100, 'list() kept returning a next cursor');
  } while (before !== undefined);
  return pages;
}

export function listCases(test: ContractTest): void {
  test('list returns jobs newest first', async (backend) => {
    const ids = await backend.insert([newJob(), newJob(), newJob()]);
    const page = await backend.list({ limit: 10 });
    assert.deepEqual(
      page.jobs.map((job) => job.id),
      [...ids].reverse(),
    );
    assert.equal(page.next, null);
  });

  test('list returns the jobs as stored', async (backend) => {
    const [id = ''] = await backend.insert([newJob({ payload: '{"n":1}' })]);
    const { jobs } = await backend.list({ limit: 10 });
    assert.deepEqual(jobs, [await backend.get(id)]);
  });

  test('list filters by state', async (backend) => {
    const [first = '', second = ''] = await backend.insert([newJob({ task: 'runs' }), newJob()]);
    await backend.claim(claimRequest({ tasks: ['runs'] }));
    const running = await backend.list({ state: 'running', limit: 10 });
    assert.deepEqual(
      running.jobs.map((job) => job.id),
      [first],
    );
    const queued = await backend.list({ state: 'queued', limit: 10 });
    assert.deepEqual(
      queued.jobs.map((job) => job.id),
      [second],
    );
  });

  test('list filters by task', async (backend) => {
    const [, image = ''] = await backend.insert([
      newJob({ task: 'send-email' }),
      newJob({ task: 'resize-image' }),
    ]);
    const { jobs } = await backend.list({ task: 'resize-image', limit: 10 });
    assert.deepEqual(
      jobs.map((job) => job.id),
      [image],
    );
  });

  test('list filters by queue', async (backend) => {
    const [mail = ''] = await backend.insert([newJob({ queue: 'mail' }), newJob({ queue: 'media' })]);
    const { jobs } = await backend.list({ queue: 'mail', limit: 10 });
    assert.deepEqual(
      jobs.map((job) => job.id),
      [mail],
    );
  });

  test('list filters combine', async (backend) => {
    const ids = await backend.insert([
      newJob({ queue: 'mail', task: 'send-email' }),
      newJob({ queue: 'mail', task: 'send-digest' }),
      newJob({ queue: 'media', task: 'send-email' }),
    ]);
    const { jobs } = await backend.list({ queue: 'mail', task: 'send-email', state: 'queued', limit: 10 });
    assert.deepEqual(
      jobs.map((job) => job.id),
      [ids[0]],
    );
  });

  test('list returns at most limit jobs, with a cursor for the rest', async (backend) => {
    const ids = await backend.insert([newJob(), newJob(), newJob()]);
    const page = await backend.list({ limit: 2 });
    assert.deepEqual(
      page.jobs.map((job) => job.id),
      [ids[2], ids[1]],
    );
    assert.notEqual(page.next, null);
  });

  test('paging with before and next visits every job exactly once, newest first', async (backend) => {
    const ids = await backend.insert(Array.from({ length: 25 }, () => newJob()));
    const pages = await allPages(backend, { limit: 4 });
    const seen = pages.flatMap((page) => page.jobs.map((job) => job.id));
    assert.deepEqual(seen, [...ids].reverse());
    for (let i = 1; i < seen.length; i++) {
      assert.ok(idNumber(seen[i - 1] as string) > idNumber(seen[i] as string), 'ids compare as numbers');
    }
    assert.equal(pages.at(-1)?.next, null);
  });

  test('paging with a filter visits every matching job exactly once', async (backend) => {
    const ids = await backend.insert(
      Array.from({ length: 20 }, (_, n) => newJob({ queue: n % 3 === 0 ? 'mail' : 'media' })),
    );
    const mail = ids.filter((_, n) => n % 3 === 0).reverse();
    const pages = await allPages(backend, { queue: 'mail', limit: 2 });
    assert.deepEqual(
      pages.flatMap((page) => page.jobs.map((job) => job.id)),
      mail,
    );
  });

  test('next is null on a page that ends with the last job', async (backend) => {
    await backend.insert(Array.from({ length: 6 }, () => newJob()));
    const pages = await allPages(backend, { limit: 3 });
    assert.deepEqual(
      pages.map((page) => page.jobs.length),
      [3, 3],
      'no empty page after the last job',
    );
  });

  test('list of an empty store is an empty last page', async (backend) => {
    assert.deepEqual(await backend.list({ limit: 10 }), { jobs: [], next: null });
  });
}
