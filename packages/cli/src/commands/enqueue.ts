import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { loadApp, usingApp } from '../load-app.ts';
import { duration, integer } from '../option-parsers.ts';
import { print } from '../output.ts';
import { examples } from './shared.ts';

interface EnqueueFlags {
  app: string;
  delay?: number;
  queue?: string;
  priority?: number;
}

/** `errand enqueue <task> <json> --app <module>`: validates the input with the task's schema and prints the job id. */
export function enqueueCommand(): Command {
  return new Command('enqueue')
    .description("Enqueues one job of a task your app declares, and prints the new job's id.")
    .argument('<task>', 'the task name, as declared in the app')
    .argument('<json>', "the job's input as JSON (quote it for your shell)")
    .requiredOption(
      '--app <module>',
      'the module that exports your errand app (it knows the tasks and their schemas)',
    )
    .option('--delay <duration>', 'run no sooner than this from now: 30s, 5m, 2h, or milliseconds', duration)
    .option('--queue <name>', "put the job on this queue instead of the task's own")
    .option('--priority <n>', "lower runs first; overrides the task's priority", integer)
    .addHelpText(
      'after',
      examples(
        `errand enqueue send-email '{"to":"ada@example.com"}' --app ./src/tasks.ts`,
        `errand enqueue report '{"month":"2025-05"}' --delay 5m --priority -1 --app ./src/tasks.ts`,
      ),
    )
    .action(async (taskName: string, json: string, options: EnqueueFlags) => {
      const app = await loadApp(options.app);
      await usingApp(app, async () => {
        const task = app.taskNamed(taskName);
        if (!task) {
          throw new CliError(unknownTask(taskName, app.taskNames(), options.app));
        }
        const handle = await task.enqueue(parseInput(json), {
          delay: options.delay,
          queue: options.queue,
          priority: options.priority,
        });
        print(handle.id);
      });
    });
}

function parseInput(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    const shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
    throw new CliError(
      `the input '${shown}' is not valid JSON (${(error as Error).message}); write it like '{"to":"ada@example.com"}', in single quotes for your shell`,
    );
  }
}

function unknownTask(name: string, known: string[], modulePath: string): string {
  if (known.length === 0) return `no task "${name}": ${modulePath} declares no task`;
  const close = known.find((candidate) => editDistance(candidate, name) <= 2);
  const hint = close ? ` (did you mean "${close}"?)` : '';
  return `no task "${name}" in ${modulePath}${hint}; known tasks: ${known.join(', ')}`;
}

/** Levenshtein distance, for the "did you mean" hint. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
