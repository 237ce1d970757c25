import type { Backend } from '../storage/backend.ts';
import type { Runtime } from './runtime.ts';

/** Wakes workers for new due jobs: this process's at once, other processes' through the backend if it can. */
export function announceJobs(runtime: Runtime, backend: Backend, queues: readonly string[]): void {
  runtime.bus.jobsAdded(queues);
  backend.wakeups?.notify(queues).catch((error: unknown) => {
    runtime.logger.warn('could not notify other workers; they will find the jobs by polling', { error });
  });
}
