import {
  ALIVE_WINDOW_MS,
  CLAIMABLE_STATES,
  JOB_STATES,
  type JobState,
  type StateCount,
  type WorkerRecord,
} from '@errand/core';
import { Command } from 'commander';
import { openApp, usingApp } from '../load-app.ts';
import { plural, print, printJson, relativeTime, table } from '../output.ts';
import { appOption, examples } from './shared.ts';

/** Jobs per state, and their total. */
export type Counts = Record<JobState, number> & { total: number };

/** A group of waiting jobs that no live worker can take. */
interface Unroutable {
  queue: string;
  task: string;
  count: number;
}

/** `errand stats`: job counts, live workers, and waiting jobs no live worker can run. */
export function statsCommand(): Command {
  return new Command('stats')
    .description(
      'Shows job counts by queue, by task and by state, the workers alive (a heartbeat in the last 60s), and the waiting jobs that no live worker can run ("unroutable").',
    )
    .option('--json', 'print the numbers as JSON')
    .addOption(appOption())
    .addHelpText('after', examples('errand stats', 'errand stats --json | jq .unroutable'))
    .action(async (options: { json?: boolean; app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const backend = await app.storage();
        const now = app.clock.now();
        const counts = await backend.stats();
        const workers = await backend.listWorkers({ seenSince: now - ALIVE_WINDOW_MS });
        const byQueue = countBy(counts, (count) => count.queue);
        const byTask = countBy(counts, (count) => count.task);
        const unroutable = findUnroutable(counts, workers);
        if (options.json) {
          printJson({
            byQueue: Object.fromEntries(byQueue),
            byTask: Object.fromEntries(byTask),
            counts,
            workers: workers.map((worker) => ({
              ...worker,
              startedAt: new Date(worker.startedAt),
              heartbeatAt: new Date(worker.heartbeatAt),
            })),
            unroutable,
          });
          return;
        }
        print(...describe(byQueue, byTask, workers, unroutable, now));
      });
    });
}

function describe(
  byQueue: Map<string, Counts>,
  byTask: Map<string, Counts>,
  workers: WorkerRecord[],
  unroutable: Unroutable[],
  now: number,
): string[] {
  const lines: string[] = [];
  if (byQueue.size === 0) lines.push('no jobs');
  else lines.push(...countTable('queue', byQueue), '', ...countTable('task', byTask));
  lines.push('', `workers alive: ${workers.length}`);
  if (workers.length > 0) {
    lines.push(
      ...table(
        ['worker', 'tasks', 'queues', 'concurrency', 'heartbeat'],
        workers.map((worker) => [
          worker.id,
          worker.tasks.join(','),
          worker.queues?.join(',') ?? 'all',
          String(worker.concurrency),
          relativeTime(worker.heartbeatAt - now),
        ]),
      ).map((line) => `  ${line}`),
    );
  }
  const stuck = unroutable.reduce((sum, group) => sum + group.count, 0);
  lines.push('', `unroutable: ${plural(stuck, 'waiting job')} that no live worker runs`);
  for (const group of unroutable) {
    lines.push(`  ${group.task} on queue ${group.queue}: ${group.count}`);
  }
  return lines;
}

function countTable(label: string, groups: Map<string, Counts>): string[] {
  const columns = [...JOB_STATES, 'total'] as const;
  return table(
    [label, ...columns],
    [...groups].map(([name, counts]) => [name, ...columns.map((column) => String(counts[column]))]),
  );
}

/** Adds up the counts of each group `key` names, groups in name order. */
export function countBy(
  counts: readonly StateCount[],
  key: (count: StateCount) => string,
): Map<string, Counts> {
  const groups = new Map<string, Counts>();
  for (const count of [...counts].sort((a, b) => key(a).localeCompare(key(b)))) {
    let group = groups.get(key(count));
    if (!group) {
      group = zeroCounts();
      groups.set(key(count), group);
    }
    group[count.state] += count.count;
    group.total += count.count;
  }
  return groups;
}

/** Every state at 0. */
export function zeroCounts(): Counts {
  return {
    ...(Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>),
    total: 0,
  };
}

/**
 * Waiting (queued or scheduled) jobs whose task no live worker has
 * registered on a queue it takes from: they will wait until one starts.
 */
export function findUnroutable(
  counts: readonly StateCount[],
  workers: readonly WorkerRecord[],
): Unroutable[] {
  const groups = new Map<string, Unroutable>();
  for (const { queue, task, state, count } of counts) {
    if (!CLAIMABLE_STATES.includes(state)) continue;
    const runnable = workers.some(
      (worker) => worker.tasks.includes(task) && (worker.queues === null || worker.queues.includes(queue)),
    );
    if (runnable) continue;
    const id = JSON.stringify([queue, task]);
    const group = groups.get(id) ?? { queue, task, count: 0 };
    group.count += count;
    groups.set(id, group);
  }
  return [...groups.values()];
}
