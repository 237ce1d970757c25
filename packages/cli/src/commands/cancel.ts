import { CLAIMABLE_STATES } from '@errand/core';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { openApp, usingApp } from '../load-app.ts';
import { jobId } from '../option-parsers.ts';
import { print } from '../output.ts';
import { appOption, examples } from './shared.ts';

/** `errand cancel <id>`: cancels a job that has not started. */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description(`Cancels a job that has not started (${CLAIMABLE_STATES.join(' or ')}).`)
    .argument('<id>', 'the job id', jobId)
    .addOption(appOption())
    .addHelpText('after', examples('errand cancel 42'))
    .action(async (id: string, options: { app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        if (await app.cancel(id)) {
          print(`job ${id} cancelled`);
          return;
        }
        const job = await app.job(id).status();
        if (!job) throw new CliError(`no job ${id} (never enqueued, or pruned after its retention)`);
        const why = job.state === 'running' ? ' (a running job finishes its attempt)' : '';
        throw new CliError(
          `job ${id} is ${job.state}; only ${CLAIMABLE_STATES.join(' or ')} jobs can be cancelled${why}`,
        );
      });
    });
}
