import { announceJobs } from '../app/announce.ts';
import { prepareJobs } from '../app/enqueue.ts';
import type { Runtime } from '../app/runtime.ts';
import type { TaskPolicy } from '../app/task.ts';
import type { Backend, ScheduleRecord } from '../storage/backend.ts';
import type { TickSource } from './schedule-spec.ts';

/** A schedule as declared in code. */
export interface DeclaredSchedule {
  readonly name: string;
  readonly policy: TaskPolicy;
  readonly source: TickSource;
  readonly input: unknown;
  /** How many missed ticks to run late after downtime (0: skip them). */
  readonly catchUp: number;
  /** When this process declared it: a schedule that never fired fires only ticks after this. */
  readonly declaredAt: number;
}

/** However often ticks come, the scheduler looks again at least this often (pauses, other nodes). */
const MAX_SLEEP_MS = 1_000;
/** A tick is on time, not missed, while it is less late than this... */
const MIN_GRACE_MS = 1_000;
/** ...or one period late, up to this. */
const MAX_GRACE_MS = 60_000;
/** Ticks enumerated per look, beyond the catch-up: bounds the work after a long downtime. */
const TICKS_PER_LOOK = 64;

/**
 * Fires the app's schedules from every worker at once, with no leader: each
 * tick is claimed in the store by fireSchedule(), a compare-and-set on the
 * schedule's last tick, so each tick enqueues its job exactly once.
 */
export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly backend: Backend,
  ) {}

  /** Records the declared schedules in the store (called at start and on each heartbeat). */
  async declare(): Promise<void> {
    const schedules = [...this.runtime.schedules.values()];
    if (schedules.length === 0) return;
    await this.backend.recordSchedules(
      schedules.map((schedule) => ({
        name: schedule.name,
        task: schedule.policy.name,
        spec: schedule.source.spec,
        payload: JSON.stringify(schedule.input ?? null),
      })),
      this.runtime.clock.now(),
    );
  }

  start(): void {
    if (this.runtime.schedules.size === 0) return;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Fires every due tick of every declared schedule once; returns how many jobs this call enqueued. */
  async fireDue(): Promise<number> {
    const now = this.runtime.clock.now();
    const records = new Map((await this.backend.listSchedules()).map((record) => [record.name, record]));
    let fired = 0;
    for (const schedule of this.runtime.schedules.values()) {
      const record = records.get(schedule.name);
      if (!record || record.paused) continue;
      for (const tick of this.#ticksToFire(schedule, record, now)) {
        // The job is due at its tick, so a late or caught-up run still says which tick it is for.
        const jobs = await prepareJobs(this.runtime, schedule.policy, [schedule.input], { runAt: tick }, now);
        const ids = await this.backend.fireSchedule({ name: schedule.name, tick, jobs });
        if (ids) {
          fired += ids.length;
          announceJobs(this.runtime, this.backend, [jobs[0]!.queue]);
        }
      }
    }
    return fired;
  }

  /** Due ticks not yet fired: those on time, plus the newest `catchUp` missed ones, oldest first. */
  #ticksToFire(schedule: DeclaredSchedule, record: ScheduleRecord, now: number): number[] {
    const since = record.lastTickAt ?? schedule.declaredAt;
    const due = schedule.source.latest(now, schedule.catchUp + TICKS_PER_LOOK).filter((tick) => tick > since);
    if (due.length === 0) return [];
    const newest = due.at(-1)!;
    const period = (schedule.source.next(newest) ?? newest + MAX_GRACE_MS) - newest;
    const graceMs = Math.min(MAX_GRACE_MS, Math.max(MIN_GRACE_MS, period));
    const onTime = due.filter((tick) => now - tick < graceMs);
    const missed = due.filter((tick) => now - tick >= graceMs);
    return [...missed.slice(Math.max(0, missed.length - schedule.catchUp)), ...onTime];
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#look().finally(() => (this.#running = undefined));
    }, delayMs);
  }

  async #look(): Promise<void> {
    try {
      await this.fireDue();
    } catch (error) {
      this.runtime.logger.warn('firing schedules failed; will try again', { error });
    }
    const now = this.runtime.clock.now();
    const nextTicks = [...this.runtime.schedules.values()].map(
      (schedule) => schedule.source.next(now) ?? Infinity,
    );
    this.#schedule(Math.max(5, Math.min(MAX_SLEEP_MS, Math.min(...nextTicks) - now)));
  }
}
