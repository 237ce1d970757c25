/**
 * The `errand` program: its commands, and how errors become one line on
 * stderr and an exit code (0 done, 1 failed, 2 used wrongly).
 */
import { Command, CommanderError } from 'commander';
import { CliError, messageOf } from './cli-error.ts';
import { cancelCommand } from './commands/cancel.ts';
import { dashboardCommand } from './commands/dashboard.ts';
import { enqueueCommand } from './commands/enqueue.ts';
import { jobCommand } from './commands/job.ts';
import { jobsCommand } from './commands/jobs.ts';
import { migrateCommand } from './commands/migrate.ts';
import { queueCommand } from './commands/queue.ts';
import { queuesCommand } from './commands/queues.ts';
import { retryCommand } from './commands/retry.ts';
import { scheduleCommand } from './commands/schedule.ts';
import { schedulesCommand } from './commands/schedules.ts';
import { statsCommand } from './commands/stats.ts';
import { workerCommand } from './commands/worker.ts';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const FOOTER = `
Where jobs live: the ERRAND_URL environment variable (memory:, sqlite:./path.db,
postgres://..., redis://...), else sqlite:./errand.db. Commands that take --app
use that app's backend instead. Set ERRAND_DEBUG=1 to see stack traces.

Run "errand help <command>" for a command's options and examples.
`;

/** Builds the program; `run()` parses and runs it. */
export function buildProgram(): Command {
  const program = new Command('errand')
    .description('Runs and inspects errand background jobs.')
    .usage('<command> [options]')
    .exitOverride()
    .configureOutput({
      // Commander's own errors (unknown option, missing argument) read "error: ..."; ours read "errand: ...".
      outputError: (text, write) => write(text.replace(/^error: /, 'errand: ')),
    })
    .addHelpText('after', FOOTER);
  for (const command of [
    workerCommand(),
    enqueueCommand(),
    jobsCommand(),
    jobCommand(),
    retryCommand(),
    cancelCommand(),
    statsCommand(),
    migrateCommand(),
    queuesCommand(),
    queueCommand(),
    schedulesCommand(),
    scheduleCommand(),
    dashboardCommand(),
  ]) {
    program.addCommand(inheritSettings(command, program));
  }
  return program;
}

/** Gives a command, and its own subcommands (`queue pause`), the program's error handling and output. */
function inheritSettings(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const subcommand of command.commands) inheritSettings(subcommand, command);
  return command;
}

/** Runs the CLI on `argv` (as process.argv: node, script, args...) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the help, or the usage error, already.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    reportError(error);
    return EXIT_FAILED;
  }
}

function reportError(error: unknown): void {
  const debug = Boolean(process.env.ERRAND_DEBUG);
  process.stderr.write(`errand: ${messageOf(error)}\n`);
  if (debug) {
    const shown = error instanceof CliError && error.cause !== undefined ? error.cause : error;
    if (shown instanceof Error && shown.stack) process.stderr.write(`${shown.stack}\n`);
  }
}
