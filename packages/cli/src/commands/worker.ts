import { constants } from 'node:os';
import type { Logger } from '@errand/core';
import { Command, Option } from 'commander';
import { loadApp } from '../load-app.ts';
import { collectList, duration, positiveInteger, wholeNumber } from '../option-parsers.ts';
import { examples } from './shared.ts';

interface WorkerFlags {
  concurrency?: number;
  prefetch?: number;
  queue: string[];
  grace: number;
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * `errand worker <tasks-module>`: runs the module's tasks until SIGTERM or
 * SIGINT, then stops gracefully. Errors that escape a handler (a throw in a
 * timer callback, a rejected promise nobody awaited) are logged, not fatal.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Runs the tasks your app module implements until SIGTERM or SIGINT, then lets running jobs finish (up to --grace) and exits 0. A second signal exits at once.',
    )
    .argument(
      '<tasks-module>',
      'the module that exports your errand app (TypeScript works with no build step)',
    )
    .option('--concurrency <n>', 'how many jobs run at once (default: 10)', positiveInteger)
    .option(
      '--prefetch <n>',
      'how many jobs to claim ahead of a free slot, for streams of short jobs (default: 0)',
      wholeNumber,
    )
    .addOption(
      new Option('--queue <name>', 'take jobs from this queue; repeat for more')
        .argParser(collectList)
        .default([], 'every queue'),
    )
    .addOption(
      new Option(
        '--grace <duration>',
        'on stop, how long running jobs may take to finish before they are handed back',
      )
        .argParser(duration)
        .default(10_000, '10s'),
    )
    .addHelpText(
      'after',
      examples(
        'errand worker ./src/tasks.ts',
        'errand worker ./src/tasks.ts --concurrency 4 --queue emails --queue reports --grace 30s',
      ),
    )
    .action(async (modulePath: string, options: WorkerFlags) => {
      const app = await loadApp(modulePath);
      const { logger } = app;
      keepRunningOnStrayErrors(logger);
      const worker = app.worker({
        concurrency: options.concurrency,
        prefetch: options.prefetch,
        queues: options.queue.length > 0 ? options.queue : undefined,
      });
      const stopRequested = untilStopSignal(logger, options.grace);
      await worker.start();
      await stopRequested;
      await worker.stop({ grace: options.grace });
      await app.close();
    });
}

/**
 * Resolves on the first SIGTERM or SIGINT; a second one exits the process at
 * once (its running jobs go back to the queue when their leases run out).
 */
function untilStopSignal(logger: Logger, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: (typeof STOP_SIGNALS)[number]) => {
      if (stopping) {
        logger.warn(`${signal} again: exiting now; unfinished jobs run again once their leases expire`);
        process.exit(128 + constants.signals[signal]);
      }
      stopping = true;
      logger.info(
        `${signal}: stopping; running jobs have ${graceMs / 1000}s to finish (send ${signal} again to exit at once)`,
      );
      resolve();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });
}

/**
 * An error thrown from a detached callback in a handler (a timer, an event
 * listener) or a promise rejection nobody handles would end the process and
 * every job running in it; a worker logs it and keeps going.
 */
function keepRunningOnStrayErrors(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; the worker keeps running', {
      error,
      stack: error instanceof Error ? error.stack : undefined,
    });
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection; the worker keeps running', {
      error: reason,
      stack: reason instanceof Error ? reason.stack : undefined,
    });
  });
}
