import { JOB_STATES, isFinished } from '@errand/core';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { openApp, usingApp } from '../load-app.ts';
import { jobId } from '../option-parsers.ts';
import { oneOf, print } from '../output.ts';
import { appOption, examples } from './shared.ts';

/** The states a job can be cancelled from: every state but the finished ones. */
const CANCELLABLE = JOB_STATES.filter((state) => !isFinished(state));

/**
 * `errand cancel <id>`: cancels a waiting job at once, or asks the worker
 * running a job to abort it.
 */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description(
      'Cancels a job. A scheduled or queued job is cancelled at once. A running job is asked to stop: its worker aborts its signal within a second, and it ends cancelled if the handler gives up (a handler that ignores its signal may still finish).',
    )
    .argument('<id>', 'the job id', jobId)
    .addOption(appOption())
    .addHelpText('after', examples('errand cancel 42'))
    .action(async (id: string, options: { app?: string }) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const handle = app.job(id);
        if (await handle.cancel()) {
          const job = await handle.status();
          if (job?.state === 'running') print(`job ${id}: cancellation requested; its worker aborts it`);
          else if (!job || job.state === 'cancelled') print(`job ${id} cancelled`);
          else print(`job ${id}: cancellation requested, but it ended ${job.state} first`);
          return;
        }
        const job = await handle.status();
        if (!job) throw new CliError(`no job ${id} (never enqueued, or pruned after its retention)`);
        throw new CliError(`job ${id} is ${job.state}; only ${oneOf(CANCELLABLE)} jobs can be cancelled`);
      });
    });
}
