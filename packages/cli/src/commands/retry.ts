import { FINISHED_STATES, canTransition } from '@errand/core';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { openApp, usingApp } from '../load-app.ts';
import { jobId } from '../option-parsers.ts';
import { print } from '../output.ts';
import { appOption, examples } from './shared.ts';

/** The states an operator may retry from: finished ones that may go back to `queued`. */
const RETRYABLE = FINISHED_STATES.filter((state) => canTransition(state, 'queued'));

/** `errand retry <id>`: puts a failed or cancelled job back in its queue, due now. */
export function retryCommand(): Command {
  return new Command('retry')
    .description(
      `Runs a ${RETRYABLE.join(' or ')} job again: back in its queue, due now, with one more attempt if it used them all.`,
    )
    .argument('<id>', 'the job id', jobId)
    .addOption(appOption())
    .addHelpText('after', examples('errand retry 42'))
    .action(async (id: string, options: { app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        if (await app.retry(id)) {
          print(`job ${id} queued again`);
          return;
        }
        const job = await app.job(id).status();
        if (!job) throw new CliError(`no job ${id} (never enqueued, or pruned after its retention)`);
        throw new CliError(`job ${id} is ${job.state}; only ${RETRYABLE.join(' or ')} jobs can be retried`);
      });
    });
}
