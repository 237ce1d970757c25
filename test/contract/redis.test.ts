import { describe } from 'node:test';

import { redisBackend } from '@errand/redis';

import { deletePrefix, REDIS_URL, silentLogger, testPrefix } from '../redis/support.ts';
import { skipUnlessReachable } from '../support/services.ts';
import { describeBackendContract } from './backend-contract.ts';

// Each test has its own key prefix on the local Redis, deleted afterwards. Redis cannot join a
// caller's transaction, so the fixture has no begin(): those tests skip, saying so.
describe('redis', { skip: await skipUnlessReachable(REDIS_URL) }, () => {
  describeBackendContract('redis', async () => {
    const prefix = testPrefix();
    return {
      backend: redisBackend({ url: REDIS_URL, prefix, logger: silentLogger }),
      cleanup: async () => {
        await deletePrefix(prefix);
      },
    };
  });
});
