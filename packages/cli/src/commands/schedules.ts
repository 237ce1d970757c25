import { isDeclared, toMilliseconds, type Schedule, type ScheduleTiming } from '@errand/core';
import { Command } from 'commander';
import { openApp, usingApp } from '../load-app.ts';
import { exactDuration, formatTime, print, printJson, table } from '../output.ts';
import { appOption, examples } from './shared.ts';

/** `errand schedules`: every schedule the store knows, with its last and next run. */
export function schedulesCommand(): Command {
  return new Command('schedules')
    .description(
      'Lists the schedules workers have recorded: task, timing, last and next run, and whether paused. A schedule no running worker has declared in the last 2 minutes is marked: it does not fire until one does.',
    )
    .option('--json', 'print the schedules as a JSON array')
    .addOption(appOption())
    .addHelpText('after', examples('errand schedules', 'errand schedules --json | jq ".[].nextRunAt"'))
    .action(async (options: { json?: boolean; app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const schedules = await app.schedules();
        const now = app.clock.now();
        const declared = (schedule: Schedule) => isDeclared(schedule, now);
        if (options.json) {
          printJson(schedules.map((schedule) => ({ ...schedule, declared: declared(schedule) })));
          return;
        }
        if (schedules.length === 0) {
          print('no schedules (a worker records the schedules its app declares when it starts)');
          return;
        }
        const time = (date: Date | null) => (date ? formatTime(date, now) : '-');
        print(
          ...table(
            ['name', 'task', 'timing', 'last run', 'next run', 'paused'],
            schedules.map((schedule) => [
              schedule.name,
              schedule.task,
              describeTiming(schedule.timing),
              time(schedule.lastRunAt),
              time(schedule.nextRunAt),
              schedule.paused ? 'yes' : 'no',
            ]),
          ),
        );
        const undeclared = schedules.filter((schedule) => !declared(schedule));
        if (undeclared.length > 0) print('');
        for (const schedule of undeclared) {
          print(
            `${schedule.name}: not declared by a running worker since ${formatTime(schedule.declaredAt, now)}; it fires only while a worker whose app declares it runs`,
          );
        }
      });
    });
}

/** `cron 0 3 * * * Europe/Paris`, `every 15m`. */
export function describeTiming(timing: ScheduleTiming): string {
  if ('cron' in timing) return `cron ${timing.cron}${timing.tz === undefined ? '' : ` ${timing.tz}`}`;
  return `every ${exactDuration(toMilliseconds(timing.every, 'every'))}`;
}
