import { memoryBackend } from '@errand/core/memory';

import { describeBackendContract } from './backend-contract.ts';

describeBackendContract('memory', async () => ({ backend: memoryBackend(), cleanup: async () => {} }));
