import type { Job } from '@errand/core';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { openApp, usingApp } from '../load-app.ts';
import { jobId } from '../option-parsers.ts';
import { formatTime, indentedJson, print, printJson } from '../output.ts';
import { appOption, examples } from './shared.ts';

interface JobFlags {
  json?: boolean;
  app?: string;
}

/** `errand job <id>`: everything about one job, each failed attempt's stack included. */
export function jobCommand(): Command {
  return new Command('job')
    .description(
      "Shows one job: its state, times, keys, input, result, progress and each failed attempt's error.",
    )
    .argument('<id>', 'the job id', jobId)
    .option('--json', 'print the job as JSON')
    .addOption(appOption())
    .addHelpText('after', examples('errand job 42', 'errand job 42 --json | jq .errors'))
    .action(async (id: string, options: JobFlags) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const job = await app.job(id).status();
        if (!job) throw new CliError(`no job ${id} (never enqueued, or pruned after its retention)`);
        if (options.json) printJson(job);
        else print(...describeJob(job, app.clock.now()));
      });
    });
}

function describeJob(job: Job, now: number): string[] {
  const time = (date: Date | null) => (date ? formatTime(date, now) : '-');
  const state = job.cancelRequested
    ? `${job.state} (cancellation requested; its worker aborts it)`
    : job.state;
  const fields: [string, string | null][] = [
    ['task', job.task],
    ['queue', job.queue],
    ['state', state],
    ['priority', String(job.priority)],
    ['attempt', `${job.attempt} of ${job.maxAttempts}`],
    ['created', time(job.createdAt)],
    ['run at', time(job.runAt)],
    ['started', time(job.startedAt)],
    ['finished', time(job.finishedAt)],
    ['worker', job.workerId],
    ['unique key', job.uniqueKey],
    ['concurrency key', job.concurrencyKey],
  ];
  const shown = fields.filter((field): field is [string, string] => field[1] !== null);
  const width = Math.max(...shown.map(([label]) => label.length)) + 1;
  const lines = [`job ${job.id}`, ...shown.map(([label, value]) => `  ${label.padEnd(width)}${value}`)];
  lines.push('', 'input', ...indentedJson(job.input));
  if (job.result !== undefined) lines.push('', 'result', ...indentedJson(job.result));
  if (job.progress !== undefined) lines.push('', 'progress', ...indentedJson(job.progress));
  if (job.errors.length > 0) {
    lines.push('', 'errors');
    for (const error of job.errors) {
      lines.push(`  attempt ${error.attempt}, ${time(new Date(error.at))}: ${error.name}: ${error.message}`);
      const frames = stackFrames(error.stack);
      lines.push(...frames.map((frame) => `      ${frame}`));
    }
  }
  return lines;
}

/** The "at ..." lines of a stack (its first lines repeat the name and message shown already). */
function stackFrames(stack: string | undefined): string[] {
  if (!stack) return [];
  return stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
}
