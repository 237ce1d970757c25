import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * V8's CPU profiler (the one behind `node --cpu-prof`) over a window of our choosing, so a profile
 * shows the worker draining jobs, not tsx compiling files at start-up. Open the file in Chrome
 * DevTools or summarise it with bench/profile-summary.ts.
 */
export async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 }); // microseconds
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
