/**
 * The seam between the benchmark and a queue library (errand on one backend, or a peer). Each
 * measurement runs in a child process (bench/target-process.ts) that opens one adapter on one
 * namespace (a PostgreSQL schema, a Redis key prefix, a SQLite file) and drives it.
 *
 * Peers are loaded with a dynamic import and typed by the few members we call, so the root
 * typecheck never needs bench/node_modules (see bench/adapters/peer-types.ts).
 */

/** A job's input. `t`: when it was offered (epoch ms, sub-millisecond), for the latency scenario. */
export interface BenchInput {
  n: number;
  t?: number;
}

export interface Producer {
  /** One job, awaited: what a request handler does. */
  enqueue(input: BenchInput): Promise<void>;
  /** A batch, through the library's bulk API. */
  enqueueMany(inputs: readonly BenchInput[]): Promise<void>;
  /** A batch of jobs that become due in `delayMs`. */
  enqueueDelayed(inputs: readonly BenchInput[], delayMs: number): Promise<void>;
}

export interface WorkerHooks {
  concurrency: number;
  /** Called as the handler starts. */
  onStart(input: BenchInput): void;
  /**
   * Called when the library says a job is done: errand's `succeeded` and BullMQ's `completed`
   * events (after the outcome is written), graphile-worker's `job:success` event and pg-boss's
   * handler returning (just before the outcome is written, batched).
   */
  onDone(): void;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

export interface Adapter {
  /** Connects and creates or checks the namespace's tables: untimed. */
  open(): Promise<void>;
  producer(): Producer;
  /** Everything a worker needs that can be done before the clock starts (connections). */
  prepareWorker(hooks: WorkerHooks): Promise<{ start(): Promise<RunningWorker> }>;
  /** Claim round trips timed inside the worker, when the adapter can see them (errand only). */
  claimTimings?(): number[];
  /** Jobs of the namespace not finished yet (waiting, delayed or running). */
  unfinished(): Promise<number>;
  close(): Promise<void>;
}

/** What a target process needs to open an adapter: which library, how configured, and where. */
export interface AdapterSpec {
  library: 'errand' | 'bullmq' | 'graphile-worker' | 'pg-boss';
  /** errand: the backend URL. Peers: the server URL. */
  url: string;
  /** PostgreSQL schema or Redis key prefix of this measurement. */
  namespace: string;
  /** graphile-worker: `default` or `fastest` (its documented batching options). */
  variant?: string;
  /** errand: the worker's prefetch (jobs claimed ahead of a free slot). */
  prefetch?: number;
  /** errand: false deletes each job as it succeeds (the task's keepSucceeded). */
  keepSucceeded?: boolean;
}

export async function openAdapter(spec: AdapterSpec): Promise<Adapter> {
  let adapter: Adapter;
  switch (spec.library) {
    case 'errand':
      adapter = new (await import('./errand.ts')).ErrandAdapter(spec);
      break;
    case 'bullmq':
      adapter = new (await import('./bullmq.ts')).BullmqAdapter(spec);
      break;
    case 'graphile-worker':
      adapter = new (await import('./graphile-worker.ts')).GraphileWorkerAdapter(spec);
      break;
    case 'pg-boss':
      adapter = new (await import('./pg-boss.ts')).PgBossAdapter(spec);
      break;
  }
  await adapter.open();
  return adapter;
}

/** The one task (or queue) name every library uses. */
export const NOOP = 'bench-noop';
