import { JOB_STATES, isFinished, type Job, type JobState } from '@errand/core';
import { Command, Option } from 'commander';
import { openApp, usingApp } from '../load-app.ts';
import { jobId, positiveInteger } from '../option-parsers.ts';
import { formatTime, print, printJson, table } from '../output.ts';
import { appOption, examples } from './shared.ts';

interface JobsFlags {
  state?: JobState;
  task?: string;
  queue?: string;
  limit: number;
  before?: string;
  json?: boolean;
  app?: string;
}

/** `errand jobs`: a page of jobs, newest first, with the command for the next page. */
export function jobsCommand(): Command {
  return new Command('jobs')
    .description('Lists jobs, newest first, a page at a time.')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATES))
    .option('--task <name>', 'only jobs of this task')
    .option('--queue <name>', 'only jobs on this queue')
    .option('--limit <n>', 'jobs per page', positiveInteger, 50)
    .option('--before <id>', 'only jobs older than this id (the cursor the previous page printed)', jobId)
    .option('--json', 'print { jobs, next } as JSON')
    .addOption(appOption())
    .addHelpText(
      'after',
      examples('errand jobs --state failed', 'errand jobs --task send-email --limit 20 --before 1200'),
    )
    .action(async (options: JobsFlags) => {
      const app = await openApp(options);
      await usingApp(app, async () => {
        const page = await app.jobs({
          state: options.state,
          task: options.task,
          queue: options.queue,
          before: options.before,
          limit: options.limit,
        });
        if (options.json) {
          printJson(page);
          return;
        }
        if (page.jobs.length === 0) {
          print(options.before === undefined ? 'no jobs' : `no jobs before ${options.before}`);
          return;
        }
        const now = app.clock.now();
        print(
          ...table(
            ['id', 'task', 'queue', 'state', 'attempt', 'when'],
            page.jobs.map((job) => [
              job.id,
              job.task,
              job.queue,
              job.state,
              `${job.attempt}/${job.maxAttempts}`,
              when(job, now),
            ]),
          ),
        );
        if (page.next !== null) print('', `more: ${nextPageCommand(options, page.next)}`);
      });
    });
}

/** What the time column says: when a waiting job runs, when a running one started, when a finished one ended. */
export function when(job: Job, now: number): string {
  if (isFinished(job.state) && job.finishedAt) return `finished ${formatTime(job.finishedAt, now)}`;
  if (job.state === 'running' && job.startedAt) return `started ${formatTime(job.startedAt, now)}`;
  return `runs ${job.runAt.getTime() <= now ? 'now' : formatTime(job.runAt, now)}`;
}

function nextPageCommand(options: JobsFlags, next: string): string {
  const words = ['errand jobs'];
  if (options.state) words.push(`--state ${options.state}`);
  if (options.task) words.push(`--task ${shellWord(options.task)}`);
  if (options.queue) words.push(`--queue ${shellWord(options.queue)}`);
  if (options.limit !== 50) words.push(`--limit ${options.limit}`);
  if (options.app) words.push(`--app ${shellWord(options.app)}`);
  words.push(`--before ${next}`);
  return words.join(' ');
}

function shellWord(word: string): string {
  return /^[\w./:@-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
