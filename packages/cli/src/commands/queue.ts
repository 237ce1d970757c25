import { CLAIMABLE_STATES } from '@errand/core';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { openApp, usingApp } from '../load-app.ts';
import { plural, print } from '../output.ts';
import { appOption, examples } from './shared.ts';

/** `errand queue pause|resume <name>`: stops workers claiming from a queue, or lets them again. */
export function queueCommand(): Command {
  return new Command('queue')
    .description('Pauses or resumes a queue (see "errand queues").')
    .usage('<pause|resume> <name> [options]')
    .addHelpText('after', examples('errand queue pause emails', 'errand queue resume emails'))
    .addCommand(pauseCommand())
    .addCommand(resumeCommand());
}

function pauseCommand(): Command {
  return new Command('pause')
    .description(
      'Pauses a queue: workers take no new job from it until it is resumed. Its jobs stay; running ones finish. A queue with no job yet can be paused too.',
    )
    .argument('<name>', 'the queue name')
    .addOption(appOption())
    .addHelpText('after', examples('errand queue pause emails'))
    .action(async (name: string, options: { app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        if ((await app.pausedQueues()).includes(name)) {
          print(`queue ${name} was paused already`);
          return;
        }
        await app.pauseQueue(name);
        const jobs = (await app.stats()).filter((count) => count.queue === name);
        const note = jobs.length === 0 ? ' (it holds no job yet)' : '';
        print(`queue ${name} paused${note}; workers take no job from it until "errand queue resume ${name}"`);
      });
    });
}

function resumeCommand(): Command {
  return new Command('resume')
    .description('Resumes a paused queue: workers take its jobs again.')
    .argument('<name>', 'the queue name')
    .addOption(appOption())
    .addHelpText('after', examples('errand queue resume emails'))
    .action(async (name: string, options: { app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const paused = await app.pausedQueues();
        if (!paused.includes(name)) {
          const which = paused.length === 0 ? 'no queue is paused' : `paused queues: ${paused.join(', ')}`;
          throw new CliError(`queue ${name} is not paused (${which})`);
        }
        // Counted before resuming: a worker may take them the moment the queue is resumed.
        const waiting = (await app.stats())
          .filter((count) => count.queue === name && CLAIMABLE_STATES.includes(count.state))
          .reduce((sum, count) => sum + count.count, 0);
        await app.resumeQueue(name);
        print(`queue ${name} resumed; ${plural(waiting, 'waiting job')}`);
      });
    });
}
