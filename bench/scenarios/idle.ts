/**
 * (d) Idle CPU: a worker with nothing to do, in its own process, on an empty store. After half a
 * second to settle, the CPU time it uses over `idleMs` is what polling, heartbeats and housekeeping
 * cost at rest. Goal: nothing to speak of.
 */
import { runWorkerProcess } from '../child.ts';
import type { Target } from '../targets.ts';

export interface IdleResult {
  /** CPU milliseconds the idle worker process used over `idleMs`. */
  cpuMs: number;
  /** The idle worker process's peak RSS: what a worker costs before it runs anything. */
  maxRssKb: number;
}

export async function measureIdle(
  target: Target,
  options: { idleMs: number; timeoutMs: number; profileFile?: string },
): Promise<IdleResult> {
  const { idleMs, timeoutMs, profileFile } = options;
  const report = await runWorkerProcess(
    {
      mode: 'idle',
      url: target.freshUrl('idle'),
      jobs: 0,
      produce: false,
      concurrency: 10,
      idleMs,
      ...(profileFile && { profileFile }),
    },
    { timeoutMs },
  );
  return { cpuMs: report.cpuMs, maxRssKb: report.maxRssKb };
}
