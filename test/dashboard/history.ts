/**
 * An hour of finished jobs, for the throughput chart and the screenshots: a few dozen per minute
 * in two queues, a failure now and then, written straight into the store as workers would leave them.
 */
import type { Backend, NewJob } from '@errand/core';

export async function seedHistory(backend: Backend, now: number): Promise<void> {
  const jobs: { job: NewJob; finishedAt: number; failed: boolean }[] = [];
  for (let minute = 59; minute >= 0; minute--) {
    const at = now - minute * 60_000 - 30_000;
    // A daytime rhythm: busier in the middle of the hour, never empty.
    const perMinute = 18 + Math.round(14 * Math.sin((minute / 59) * Math.PI)) + (minute % 7);
    for (let n = 0; n < perMinute; n++) {
      const mail = n % 3 !== 0;
      jobs.push({
        job: {
          task: mail ? 'send-email' : 'resize-image',
          queue: mail ? 'mail' : 'media',
          state: 'queued',
          priority: 0,
          payload: mail ? `{"to":"user${n}@example.com"}` : `{"image":"photo-${n}.jpg","width":640}`,
          maxAttempts: 3,
          runAt: at - 2_000,
          createdAt: at - 2_000,
        },
        finishedAt: at + n * 100,
        failed: (minute * 31 + n) % 53 === 0,
      });
    }
  }
  const ids = await backend.insert(jobs.map((entry) => entry.job));
  const byId = new Map(ids.map((id, i) => [id, jobs[i]!]));
  const claimed = await backend.claim({
    queues: null,
    tasks: ['send-email', 'resize-image'],
    limit: jobs.length,
    workerId: 'history',
    leaseToken: 'history',
    leaseUntil: now + 60_000,
    now: now - 3_600_000,
  });
  await backend.transition(
    claimed.map((record) => {
      const entry = byId.get(record.id)!;
      return {
        id: record.id,
        from: ['running'],
        leaseToken: 'history',
        to: entry.failed ? 'failed' : 'succeeded',
        finishedAt: entry.finishedAt,
        startedAt: entry.finishedAt - 400,
        ...(entry.failed
          ? {
              errors: JSON.stringify([
                { attempt: 1, at: entry.finishedAt, name: 'Error', message: 'mail API answered 503' },
              ]),
            }
          : { result: '{"ok":true}' }),
      };
    }),
  );
}
