/**
 * Shared by the Redis tests: a key prefix of each test's own on the local Redis, and its removal.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

import { REDIS_URL } from '../support/services.ts';

export { REDIS_URL };

/** Loggers that keep the test output clean. */
export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A prefix no other test uses: `errand-test-<random>`. */
export function testPrefix(): string {
  return `errand-test-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under a prefix (the backend's keys are `{prefix}:…`), with SCAN + UNLINK. */
export async function deletePrefix(prefix: string, url: string = REDIS_URL): Promise<number> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    await client.quit();
  }
}

/**
 * A Redis user of its own that may not use Redis Functions (FUNCTION, FCALL, FCALL_RO) but may do
 * everything else, as on Redis 6.2 or under an ACL that refuses them: errand then runs its scripts
 * by EVALSHA. `refuse` names other commands to deny. remove() deletes the user.
 */
export async function restrictedUser(
  refuse: readonly string[] = ['function', 'fcall', 'fcall_ro'],
): Promise<{ url: string; remove: () => Promise<void> }> {
  const name = `errand-test-${randomBytes(6).toString('hex')}`;
  const admin = new Redis(REDIS_URL);
  try {
    await admin.call(
      'ACL',
      'SETUSER',
      name,
      'reset',
      'on',
      'nopass',
      '~*',
      '&*',
      '+@all',
      ...refuse.map((c) => `-${c}`),
    );
  } finally {
    admin.disconnect();
  }
  const url = new URL(REDIS_URL);
  url.username = name;
  url.password = 'unused';
  return {
    url: url.toString(),
    remove: async () => {
      const client = new Redis(REDIS_URL);
      try {
        await client.call('ACL', 'DELUSER', name);
      } finally {
        client.disconnect();
      }
    },
  };
}
