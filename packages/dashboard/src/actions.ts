import type { Errand } from '@errand/core';

/** What an action answers: JSON `{ ok, message, redirect? }` that app.js shows as a toast. */
export interface ActionResult {
  status: number;
  ok: boolean;
  message: string;
  /** Where the page should go next (a deleted job's page is gone). */
  redirect?: string;
}

const done = (message: string, redirect?: string): ActionResult => ({
  status: 200,
  ok: true,
  message,
  redirect,
});
const refused = (status: number, message: string): ActionResult => ({ status, ok: false, message });

/**
 * Runs the action a POST to `/actions/<kind>/<name>/<verb>` names, through the app's public API
 * only; the policy (what may be retried, deleted, cancelled) is the core's. Null: no such action.
 */
export async function runAction(
  errand: Errand,
  parts: readonly string[],
  basePath: string,
): Promise<ActionResult | null> {
  const [kind, name, verb, ...rest] = parts;
  if (kind === undefined || name === undefined || verb === undefined || rest.length > 0) return null;
  switch (`${kind}/${verb}`) {
    case 'jobs/retry':
      return (await errand.retry(name))
        ? done(`Job ${name} is queued again.`)
        : refused(409, `Job ${name} is not failed or cancelled, so it cannot be retried.`);
    case 'jobs/cancel':
      return (await errand.cancel(name))
        ? done(`Job ${name} is cancelled (a running job stops when its worker hears of it).`)
        : refused(409, `Job ${name} has finished or does not exist: nothing to cancel.`);
    case 'jobs/delete': {
      if (await errand.deleteJob(name)) return done(`Job ${name} is deleted.`, `${basePath}/jobs`);
      const job = await errand.job(name).status();
      return job === null
        ? refused(404, `There is no job ${name}.`)
        : refused(409, `Job ${name} is running: cancel it first, then delete it.`);
    }
    case 'tasks/retry-failed': {
      const retried = await errand.retryFailed({ task: name });
      return done(`${retried} failed job${retried === 1 ? '' : 's'} of ${name} queued again.`);
    }
    case 'queues/pause':
      await errand.pauseQueue(name);
      return done(`Queue ${name} is paused.`);
    case 'queues/resume':
      await errand.resumeQueue(name);
      return done(`Queue ${name} is running again.`);
    case 'schedules/pause':
      return (await errand.pauseSchedule(name))
        ? done(`Schedule ${name} is paused.`)
        : refused(404, `There is no schedule ${name}.`);
    case 'schedules/resume':
      return (await errand.resumeSchedule(name))
        ? done(`Schedule ${name} is running again.`)
        : refused(404, `There is no schedule ${name}.`);
    default:
      return null;
  }
}
