import { after, describe } from 'node:test';

import { redisBackend } from '@errand/redis';

import { deletePrefix, REDIS_URL, restrictedUser, silentLogger, testPrefix } from '../redis/support.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { describeBackendContract } from './backend-contract.ts';

const skip = await skipUnlessReachable(REDIS_URL);

// Each test has its own key prefix on the local Redis, deleted afterwards. Redis cannot join a
// caller's transaction, so the fixture has no begin(): those tests skip, saying so.
function describeRedisContract(name: string, url: string): void {
  describeBackendContract(name, async () => {
    const prefix = testPrefix();
    return {
      backend: redisBackend({ url, prefix, logger: silentLogger }),
      cleanup: async () => {
        await deletePrefix(prefix);
      },
    };
  });
}

// On Redis 7 errand runs its scripts as Redis Functions.
describe('redis', { skip }, () => describeRedisContract('redis', REDIS_URL));

// Where functions are refused (Redis 6.2, or an ACL), the same scripts run by EVALSHA: the whole
// contract again, as a user that may not use functions.
const noFunctions = skip === false ? await restrictedUser() : null;
after(() => noFunctions?.remove());
describe('redis, scripts by EVALSHA', { skip }, () =>
  describeRedisContract('redis (EVALSHA)', noFunctions?.url ?? REDIS_URL),
);
