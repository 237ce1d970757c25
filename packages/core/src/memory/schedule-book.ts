import type { ScheduleDefinition, ScheduleRecord } from '../storage/backend.ts';

/** The recorded schedules of the memory backend, by name. */
export class ScheduleBook {
  readonly #schedules = new Map<string, ScheduleRecord>();

  record(schedules: readonly ScheduleDefinition[], declaredAt: number): void {
    for (const { name, task, spec, payload } of schedules) {
      const existing = this.#schedules.get(name);
      this.#schedules.set(name, {
        name,
        task,
        spec,
        payload,
        lastTickAt: existing?.lastTickAt ?? null,
        paused: existing?.paused ?? false,
        declaredAt,
      });
    }
  }

  list(): ScheduleRecord[] {
    return [...this.#schedules.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((schedule) => ({ ...schedule }));
  }

  /** Whether `tick` may fire: the schedule exists, is not paused, and tick is after its lastTickAt. */
  canFire(name: string, tick: number): boolean {
    const schedule = this.#schedules.get(name);
    return (
      schedule !== undefined &&
      !schedule.paused &&
      (schedule.lastTickAt === null || schedule.lastTickAt < tick)
    );
  }

  /** Records `tick` as fired; call only after canFire() said yes. */
  markFired(name: string, tick: number): void {
    const schedule = this.#schedules.get(name);
    if (schedule !== undefined) schedule.lastTickAt = tick;
  }

  setPaused(name: string, paused: boolean): boolean {
    const schedule = this.#schedules.get(name);
    if (schedule === undefined) return false;
    schedule.paused = paused;
    return true;
  }
}
