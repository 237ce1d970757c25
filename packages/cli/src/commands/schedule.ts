import type { Errand, Schedule } from '@errand/core';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { openApp, usingApp } from '../load-app.ts';
import { formatTime, print } from '../output.ts';
import { appOption, examples } from './shared.ts';

/** `errand schedule pause|resume <name>`: stops a schedule's ticks, or lets them fire again. */
export function scheduleCommand(): Command {
  return new Command('schedule')
    .description('Pauses or resumes a schedule (see "errand schedules" for their names).')
    .usage('<pause|resume> <name> [options]')
    .addHelpText(
      'after',
      examples('errand schedule pause nightly-report', 'errand schedule resume nightly-report'),
    )
    .addCommand(pauseCommand())
    .addCommand(resumeCommand());
}

function pauseCommand(): Command {
  return new Command('pause')
    .description('Pauses a schedule: no tick of it fires until it is resumed.')
    .argument('<name>', 'the schedule name')
    .addOption(appOption())
    .addHelpText('after', examples('errand schedule pause nightly-report'))
    .action(async (name: string, options: { app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const before = await knownSchedule(app, name);
        if (before.paused) {
          print(`schedule ${name} was paused already`);
          return;
        }
        await setPaused(app, name, true);
        print(`schedule ${name} paused; no tick fires until "errand schedule resume ${name}"`);
      });
    });
}

function resumeCommand(): Command {
  return new Command('resume')
    .description(
      'Resumes a paused schedule: it fires again from its next tick (a schedule declared with catchUp also runs up to that many of the ticks missed while paused).',
    )
    .argument('<name>', 'the schedule name')
    .addOption(appOption())
    .addHelpText('after', examples('errand schedule resume nightly-report'))
    .action(async (name: string, options: { app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const before = await knownSchedule(app, name);
        if (!before.paused) {
          print(`schedule ${name} was not paused`);
          return;
        }
        await setPaused(app, name, false);
        const after = (await app.schedules()).find((schedule) => schedule.name === name);
        const next = after?.nextRunAt ? `; next run ${formatTime(after.nextRunAt, app.clock.now())}` : '';
        print(`schedule ${name} resumed${next}`);
      });
    });
}

/** The recorded schedule called `name`, or a CliError naming the ones there are. */
async function knownSchedule(app: Errand, name: string): Promise<Schedule> {
  const schedules = await app.schedules();
  const found = schedules.find((schedule) => schedule.name === name);
  if (found) return found;
  throw new CliError(
    schedules.length === 0
      ? `no schedule "${name}": none is recorded (a worker records the schedules its app declares when it starts)`
      : `no schedule "${name}"; known schedules: ${schedules.map((schedule) => schedule.name).join(', ')}`,
  );
}

async function setPaused(app: Errand, name: string, paused: boolean): Promise<void> {
  const done = paused ? await app.pauseSchedule(name) : await app.resumeSchedule(name);
  // Listed a moment ago: only a store reset in between gets here.
  if (!done) throw new CliError(`no schedule "${name}" (it disappeared from the store)`);
}
