import { toMilliseconds, type Duration } from '../jobs/duration.ts';
import type { FinishedCount, WorkerRecord } from '../storage/backend.ts';
import type { Runtime } from './runtime.ts';

/** Jobs finished in one time bucket of one queue, by how they ended. */
export interface ThroughputPoint {
  /** The bucket's start. */
  at: Date;
  queue: string;
  state: FinishedCount['state'];
  count: number;
}

export interface Throughput {
  /** The first bucket's start (a whole bucket, so the chart does not shift within a bucket). */
  since: Date;
  /** The end of the last bucket, which holds now. */
  until: Date;
  bucketMs: number;
  /** Oldest first, then by queue and state; buckets with no finished job are left out. */
  points: ThroughputPoint[];
}

export interface ThroughputOptions {
  /** How far back. (Default: `'1h'`) */
  window?: Duration;
  /** Each bar's width. (Default: `'1m'`) */
  bucket?: Duration;
}

/** Jobs finished per queue, state and bucket over the last `window`, the current bucket last. */
export async function throughput(runtime: Runtime, options: ThroughputOptions = {}): Promise<Throughput> {
  const windowMs = toMilliseconds(options.window ?? '1h', 'throughput window');
  const bucketMs = toMilliseconds(options.bucket ?? '1m', 'throughput bucket');
  if (!(bucketMs >= 1 && windowMs >= bucketMs)) {
    throw new RangeError(`throughput: the bucket must be at least 1 ms and no longer than the window`);
  }
  const buckets = Math.ceil(windowMs / bucketMs);
  const until = (Math.floor(runtime.clock.now() / bucketMs) + 1) * bucketMs;
  const since = until - buckets * bucketMs;
  const counts = await (await runtime.storage()).finishedCounts({ since, until, bucketMs });
  return {
    since: new Date(since),
    until: new Date(until),
    bucketMs,
    points: counts
      .map(({ bucket, queue, state, count }) => ({ at: new Date(bucket), queue, state, count }))
      .sort(
        (a, b) =>
          a.at.getTime() - b.at.getTime() || a.queue.localeCompare(b.queue) || a.state.localeCompare(b.state),
      ),
  };
}

/** A live worker: what it runs and when it last said so (its record, with times as Dates). */
export interface WorkerInfo extends Omit<WorkerRecord, 'startedAt' | 'heartbeatAt'> {
  startedAt: Date;
  heartbeatAt: Date;
}

/** A worker counts as alive when its heartbeat is this recent (as `errand stats` says). */
export const ALIVE_WINDOW_MS = 60_000;

/** Workers with a heartbeat in the last minute, by id. */
export async function liveWorkers(runtime: Runtime): Promise<WorkerInfo[]> {
  const records = await (
    await runtime.storage()
  ).listWorkers({
    seenSince: runtime.clock.now() - ALIVE_WINDOW_MS,
  });
  return records.map(workerInfo).sort((a, b) => a.id.localeCompare(b.id));
}

function workerInfo(record: WorkerRecord): WorkerInfo {
  return {
    ...record,
    startedAt: new Date(record.startedAt),
    heartbeatAt: new Date(record.heartbeatAt),
  };
}
