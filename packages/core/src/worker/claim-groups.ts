import type { Runtime } from '../app/runtime.ts';
import { checkQueueName } from '../app/task.ts';
import type { Backend, ClaimRequest, JobRecord } from '../storage/backend.ts';

/**
 * One claim a worker makes each round: a set of tasks and queues with its own
 * limits. Unlimited tasks share one group; each rate- or concurrency-limited
 * task, each rate-limited queue and each queue with its own slot count gets a
 * group of its own, so the store can enforce its limit in that claim alone.
 */
export interface ClaimGroup {
  readonly tasks: readonly string[];
  readonly queues: readonly string[] | null;
  readonly excludeQueues?: readonly string[];
  readonly rate?: { key: string; max: number; periodMs: number };
  readonly concurrency?: { max: number };
  /** Jobs of this group this worker may run at once. */
  readonly slots: number;
  /** Jobs of this group claimed and not yet settled: running, and (if it holds ahead) held for a slot. */
  running: number;
  /**
   * Whether the worker may claim this group's jobs ahead of a free slot (its prefetch): only a group
   * whose limit is the worker's own concurrency. A rate limit counts a start when the job is claimed
   * and a concurrency limit counts claimed jobs as running, so a held job would spend either limit
   * early; a queue's own slot count could not hold with more of its jobs claimed than slots.
   */
  readonly holdsAhead: boolean;
}

/** The worker's queues: every queue, a list sharing the worker's slots, or a slot count per queue. */
export type QueueSelection = null | readonly string[] | Readonly<Record<string, number>>;

/** Checks a worker's `queues` option. */
export function checkQueueSelection(queues: string[] | Record<string, number> | undefined): QueueSelection {
  if (queues === undefined) return null;
  if (Array.isArray(queues)) return queues.map((queue) => checkQueueName(queue, 'worker queue'));
  if (typeof queues !== 'object' || queues === null) {
    throw new TypeError(
      `worker queues must be a list of queue names or { queue: slots } (got ${String(queues)})`,
    );
  }
  for (const [queue, slots] of Object.entries(queues)) {
    checkQueueName(queue, 'worker queue');
    if (!Number.isInteger(slots) || slots < 1) {
      throw new TypeError(
        `worker queues.${queue} must be a whole number of slots >= 1 (got ${String(slots)})`,
      );
    }
  }
  return queues;
}

/** The queue names a selection takes from, or null for every queue. */
export function queuesOf(selection: QueueSelection): string[] | null {
  if (selection === null) return null;
  return Array.isArray(selection) ? [...(selection as readonly string[])] : Object.keys(selection);
}

export function planClaimGroups(
  runtime: Runtime,
  selection: QueueSelection,
  concurrency: number,
): ClaimGroup[] {
  const implemented = [...runtime.handlers.keys()];
  const limited = implemented.filter((task) => {
    const policy = runtime.policies.get(task)!;
    return policy.rateLimit !== null || policy.concurrencyLimit !== null;
  });
  const plain = implemented.filter((task) => !limited.includes(task));
  const perQueueSlots =
    selection !== null && !Array.isArray(selection) ? (selection as Record<string, number>) : null;
  const listed =
    selection === null ? null : perQueueSlots ? Object.keys(perQueueSlots) : (selection as string[]);
  const rateLimitedQueues = [...runtime.queueRateLimits.keys()].filter(
    (queue) => listed?.includes(queue) ?? true,
  );

  const groups: ClaimGroup[] = limited.map((task) => {
    const policy = runtime.policies.get(task)!;
    return {
      tasks: [task],
      queues: listed,
      ...(policy.rateLimit && { rate: { key: `task:${task}`, ...policy.rateLimit } }),
      ...(policy.concurrencyLimit && { concurrency: { max: policy.concurrencyLimit.max } }),
      slots: concurrency,
      running: 0,
      holdsAhead: false,
    };
  });
  if (plain.length === 0) return groups;
  for (const queue of rateLimitedQueues) {
    groups.push({
      tasks: plain,
      queues: [queue],
      rate: { key: `queue:${queue}`, ...runtime.queueRateLimits.get(queue)! },
      slots: perQueueSlots?.[queue] ?? concurrency,
      running: 0,
      holdsAhead: false,
    });
  }
  const others = listed?.filter((queue) => !rateLimitedQueues.includes(queue));
  if (perQueueSlots) {
    for (const queue of others!)
      groups.push({
        tasks: plain,
        queues: [queue],
        slots: perQueueSlots[queue]!,
        running: 0,
        holdsAhead: false,
      });
  } else if (others === undefined) {
    groups.push({
      tasks: plain,
      queues: null,
      ...(rateLimitedQueues.length > 0 && { excludeQueues: rateLimitedQueues }),
      slots: concurrency,
      running: 0,
      holdsAhead: true,
    });
  } else if (others.length > 0) {
    groups.push({ tasks: plain, queues: others, slots: concurrency, running: 0, holdsAhead: true });
  }
  return groups;
}

export interface ClaimedJob {
  job: JobRecord;
  group: ClaimGroup;
}

/** What a claim round may take: jobs for free slots, and jobs to hold ahead of a slot. */
export interface ClaimRoom {
  free: number;
  ahead: number;
}

/**
 * One round of claims over the groups with room, starting from a different
 * group each round so that no group starves another. `more` is true when
 * some group took all it asked for: more jobs may be due at once.
 */
export async function claimRound(
  backend: Backend,
  groups: readonly ClaimGroup[],
  round: number,
  room: ClaimRoom,
  request: Omit<ClaimRequest, 'tasks' | 'queues' | 'limit'>,
): Promise<{ claimed: ClaimedJob[]; more: boolean }> {
  const claimed: ClaimedJob[] = [];
  let { free, ahead } = room;
  let more = false;
  for (let index = 0; index < groups.length && free + ahead > 0; index++) {
    const group = groups[(round + index) % groups.length]!;
    // A group that holds ahead has the worker's concurrency for slots: the lane's room bounds it.
    const limit = group.holdsAhead ? free + ahead : Math.min(free, group.slots - group.running);
    if (limit <= 0) continue;
    // Held while the claim is in flight, so that a round of another claim lane cannot fill the same slots.
    group.running += limit;
    let jobs: JobRecord[] = [];
    try {
      jobs = await backend.claim({
        ...request,
        tasks: group.tasks,
        queues: group.queues,
        limit,
        ...(group.excludeQueues && { excludeQueues: group.excludeQueues }),
        ...(group.rate && { rate: group.rate }),
        ...(group.concurrency && { concurrency: group.concurrency }),
      });
    } finally {
      group.running -= limit - jobs.length;
    }
    for (const job of jobs) claimed.push({ job, group });
    const forFreeSlots = Math.min(free, jobs.length);
    free -= forFreeSlots;
    ahead -= jobs.length - forFreeSlots;
    if (jobs.length === limit) more = true;
  }
  return { claimed, more };
}
