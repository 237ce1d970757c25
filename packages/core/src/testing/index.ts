import { createErrand, type Errand, type ErrandOptions } from '../app/errand.ts';
import { memoryBackend } from '../memory/index.ts';
import { createTestClock, type TestClock } from './test-clock.ts';

export { createTestClock, type TestClock } from './test-clock.ts';
export { enqueuedJobs, assertEnqueued, assertNotEnqueued } from './enqueued.ts';

/**
 * An app for tests: in memory, on a clock that moves only when told, quiet
 * unless something goes wrong. Run due jobs with `app.drain()`.
 */
export function createTestErrand(options: Omit<ErrandOptions, 'backend' | 'clock'> = {}): {
  app: Errand;
  clock: TestClock;
} {
  const clock = createTestClock();
  const app = createErrand({
    logger: quietLogger,
    ...options,
    backend: memoryBackend(),
    clock,
  });
  return { app, clock };
}

const ignore = (): void => undefined;
const quietLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: (message: string, fields?: Record<string, unknown>) =>
    console.error(`[errand] ${message}`, fields ?? ''),
};
