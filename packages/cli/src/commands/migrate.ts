import { createErrand } from '@errand/core';
import { Command } from 'commander';
import { loadApp, usingApp } from '../load-app.ts';
import { print } from '../output.ts';
import { appOption, examples } from './shared.ts';

/**
 * `errand migrate`: creates or upgrades errand's tables, for teams that
 * migrate explicitly before deploying. Workers and apps do the same on start
 * unless told not to (e.g. the PostgreSQL backend's `migrate: false`).
 */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description("Creates or upgrades errand's tables in the store (workers also do it on start).")
    .addOption(appOption())
    .addHelpText(
      'after',
      examples('errand migrate --app ./src/tasks.ts', 'ERRAND_URL=postgres://app@db/app errand migrate'),
    )
    .action(async (options: { app?: string }) => {
      // Unlike the other commands, a store that does not exist yet is what this one is for.
      const app = options.app === undefined ? createErrand() : await loadApp(options.app);
      await usingApp(app, async () => {
        const backend = await app.storage();
        print(`${backend.kind} store is ready: errand's tables are at the version this code knows`);
      });
    });
}
