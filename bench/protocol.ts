import type { AdapterSpec } from './adapters/adapter.ts';

/** What a target process is asked to do (its first argument, as JSON). See bench/target-process.ts. */
export type TargetJob =
  | {
      mode: 'enqueue';
      specs: [AdapterSpec, AdapterSpec];
      jobs: number;
      batchSize: number;
      /** One by one stops here if it has not enqueued `jobs` yet. */
      oneByOneMs: number;
    }
  /** A long-lived process that fills namespaces on request (`fill` messages), untimed. */
  | { mode: 'filler' }
  | {
      mode: 'drain';
      spec: AdapterSpec;
      concurrency: number;
      /** Fill the store in this process first, untimed (a memory store cannot be shared). */
      produce?: { jobs: number; delayed: number };
      /** Report progress the moment this many jobs are done (the scale scenario stops there). */
      countTo?: number;
      /** Jobs due in an hour in the store: they stay unfinished. */
      delayed: number;
      /** Write a V8 CPU profile of the timed window to this file. */
      profileFile?: string;
    }
  | {
      mode: 'latency-worker';
      spec: AdapterSpec;
      concurrency: number;
      jobs: number;
      rate: number;
      /** Offer the jobs from this process (a memory store cannot be shared). */
      produceInProcess: boolean;
    }
  | { mode: 'latency-producer'; spec: AdapterSpec; jobs: number; rate: number };

export type ParentMessage =
  | { type: 'go' }
  /** `check`: count the jobs left unfinished after stopping (not when the bench stopped early). */
  | { type: 'stop'; check: boolean }
  | { type: 'fill'; spec: AdapterSpec; jobs: number; delayed: number; batchSize: number };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'enqueued'; oneByOne: number; batched: number }
  | { type: 'filled'; ms: number }
  | { type: 'progress'; count: number; lastAt: number; cpuMs: number }
  | { type: 'drained'; startedAt: number; maxRssKb: number; claimsMs: number[]; unfinished: number }
  | { type: 'latencies'; latenciesMs: number[]; cpuMs: number; maxRssKb: number }
  | { type: 'offered' };
