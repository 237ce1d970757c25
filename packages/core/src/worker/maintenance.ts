import { announceJobs } from '../app/announce.ts';
import type { Runtime } from '../app/runtime.ts';
import type { Backend } from '../storage/backend.ts';
import { rescueExpired } from './attempt-verdict.ts';

const RESCUE_BATCH = 100;
const PRUNE_BATCH = 1_000;

/**
 * Housekeeping every worker does, so no leader is needed: give back jobs
 * whose worker vanished, and delete finished jobs past retention. Both are
 * compare-and-set or idempotent, so several workers doing it at once is safe.
 */
export class Maintenance {
  #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly runtime: Runtime,
    private readonly backend: Backend,
  ) {}

  start(rescueEveryMs: number, pruneEveryMs: number): void {
    this.#timers.push(
      setInterval(() => void this.#guard('rescue', () => this.rescue()), rescueEveryMs),
      setInterval(() => void this.#guard('prune', () => this.prune()), pruneEveryMs),
    );
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  /** Returns how many jobs it gave back. */
  async rescue(): Promise<number> {
    const now = this.runtime.clock.now();
    const expired = await this.backend.findExpired({ now, limit: RESCUE_BATCH });
    if (expired.length === 0) return 0;
    const changes = expired.map((job) => rescueExpired(job, now));
    const applied = await this.backend.transition(changes);
    const rescued = changes.filter((_, index) => applied[index]);
    if (rescued.length > 0) {
      this.runtime.logger.warn(`rescued ${rescued.length} job(s) whose worker stopped renewing its lease`, {
        ids: rescued.map((change) => change.id),
      });
      const queues = new Set(expired.filter((_, index) => applied[index]).map((job) => job.queue));
      announceJobs(this.runtime, this.backend, [...queues]);
      for (const change of rescued) if (change.to === 'failed') this.runtime.bus.jobSettled(change.id);
    }
    return rescued.length;
  }

  /** Returns how many jobs it deleted. */
  async prune(): Promise<number> {
    const before = this.runtime.clock.now() - this.runtime.retentionMs;
    let total = 0;
    for (;;) {
      const deleted = await this.backend.prune({ before, limit: PRUNE_BATCH });
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }

  async #guard(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.runtime.logger.warn(`${what} failed; will try again`, { error });
    }
  }
}
