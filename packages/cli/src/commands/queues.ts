import { JOB_STATES } from '@errand/core';
import { Command } from 'commander';
import { openApp, usingApp } from '../load-app.ts';
import { print, printJson, table } from '../output.ts';
import { appOption, examples } from './shared.ts';
import { countBy, zeroCounts } from './stats.ts';

/** `errand queues`: every queue with jobs, and every paused one, with counts by state. */
export function queuesCommand(): Command {
  return new Command('queues')
    .description(
      'Lists the queues that hold jobs, and the paused ones (even with no job yet), with job counts by state and whether each is paused.',
    )
    .option('--json', 'print the queues as a JSON array')
    .addOption(appOption())
    .addHelpText('after', examples('errand queues', 'errand queues --json | jq ".[] | select(.paused)"'))
    .action(async (options: { json?: boolean; app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const [counts, pausedList] = await Promise.all([app.stats(), app.pausedQueues()]);
        const paused = new Set(pausedList);
        const byQueue = countBy(counts, (count) => count.queue);
        const names = [...new Set([...byQueue.keys(), ...paused])].sort((a, b) => a.localeCompare(b));
        const queues = names.map((queue) => ({
          queue,
          paused: paused.has(queue),
          counts: byQueue.get(queue) ?? zeroCounts(),
        }));
        if (options.json) {
          printJson(queues);
          return;
        }
        if (queues.length === 0) {
          print('no queues (a queue appears with its first job, or when it is paused)');
          return;
        }
        const columns = [...JOB_STATES, 'total'] as const;
        print(
          ...table(
            ['queue', ...columns, 'paused'],
            queues.map(({ queue, paused: isPaused, counts: queueCounts }) => [
              queue,
              ...columns.map((column) => String(queueCounts[column])),
              isPaused ? 'yes' : 'no',
            ]),
          ),
        );
      });
    });
}
