// How errand runs its Lua scripts: as one library of Redis Functions where the server allows, by
// EVALSHA where it does not (Redis 6.2, an ACL), switching at the first refusal; a library the server
// lost is loaded again; one library serves every key prefix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Redis } from 'ioredis';

import { ScriptRunner } from '../../packages/redis/src/scripts.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { deletePrefix, REDIS_URL, restrictedUser, testPrefix } from './support.ts';

/** insert.lua's argument: one queued job of task t. */
function oneJob(now: number): string {
  return JSON.stringify([['t', 'default', 'queued', '0', '{}', '1', String(now), String(now), null]]);
}

async function errandLibraries(client: Redis): Promise<string[]> {
  const libraries = (await client.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'errand_*')) as unknown[][];
  return libraries.map((library) => String(library[1]));
}

describe('redis scripts', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
  const prefixes = [testPrefix(), testPrefix()];
  const idKey = (prefix: string) => `{${prefix}}:id`;
  const clients: Redis[] = [];
  const users: { remove: () => Promise<void> }[] = [];

  async function clientAs(refuse?: string[]): Promise<Redis> {
    let url = REDIS_URL;
    if (refuse) {
      const user = await restrictedUser(refuse);
      users.push(user);
      url = user.url;
    }
    const client = new Redis(url);
    clients.push(client);
    return client;
  }

  let admin: Redis;
  before(async () => {
    admin = await clientAs();
  });
  after(async () => {
    for (const client of clients) client.disconnect();
    for (const user of users) await user.remove();
    for (const prefix of prefixes) await deletePrefix(prefix);
  });

  it('runs them as functions of one library where the server has Redis Functions', async () => {
    const scripts = await ScriptRunner.open(admin);
    assert.equal(scripts.mode, 'function');
    assert.ok((await errandLibraries(admin)).length >= 1);
    assert.equal(await scripts.run('insert', idKey(prefixes[0]!), [oneJob(Date.now())]), 1);
  });

  it('runs them by EVALSHA where functions are refused, from the first call', async () => {
    const scripts = await ScriptRunner.open(await clientAs(['function', 'fcall', 'fcall_ro']));
    assert.equal(scripts.mode, 'script');
    assert.equal(await scripts.run('insert', idKey(prefixes[0]!), [oneJob(Date.now())]), 2);
  });

  it('switches to EVALSHA when FCALL is refused after the library loaded', async () => {
    const scripts = await ScriptRunner.open(await clientAs(['fcall', 'fcall_ro']));
    assert.equal(scripts.mode, 'function');
    assert.equal(await scripts.run('insert', idKey(prefixes[0]!), [oneJob(Date.now())]), 3);
    assert.equal(scripts.mode, 'script');
  });

  it('loads the library again when the server lost it', async () => {
    const scripts = await ScriptRunner.open(admin);
    for (const name of await errandLibraries(admin)) await admin.call('FUNCTION', 'DELETE', name);
    const [first, second] = await Promise.all([
      scripts.run('insert', idKey(prefixes[0]!), [oneJob(Date.now())]),
      scripts.run('insert', idKey(prefixes[0]!), [oneJob(Date.now())]),
    ]);
    assert.deepEqual([first, second].sort(), [4, 5]);
    assert.equal(scripts.mode, 'function');
    assert.equal((await errandLibraries(admin)).length, 1);
  });

  it('keeps each key prefix to its own keys, calls to one library taking turns', async () => {
    const scripts = await ScriptRunner.open(admin);
    const other = prefixes[1]!;
    // The library's state outlives a call: a prefix's key names must not leak into the next call.
    assert.equal(await scripts.run('insert', idKey(other), [oneJob(Date.now())]), 1);
    assert.equal(await scripts.run('insert', idKey(prefixes[0]!), [oneJob(Date.now())]), 6);
    assert.equal(await scripts.run('insert', idKey(other), [oneJob(Date.now())]), 2);
    const stats = (prefix: string) =>
      scripts.run('stats', idKey(prefix), []) as Promise<[string[], string[]]>;
    const [counts] = await stats(other);
    assert.deepEqual(counts, ['1:queued', '2']);
    assert.deepEqual((await stats(prefixes[0]!))[0], ['1:queued', '6']);
  });
});
