import path from 'node:path';

/** A queue under test: errand on one backend. Peers (BullMQ, graphile-worker, pg-boss) come later. */
export interface Target {
  /** As shown in the tables. */
  readonly name: string;
  /**
   * Whether the worker has to run in the producer's process: a memory store lives in one process,
   * so its producer and worker share it (the output says so).
   */
  readonly sharedProcess: boolean;
  /** The URL of a new, empty store. */
  freshUrl(label: string): string;
}

export const TARGET_KEYS = ['memory', 'sqlite'] as const;
export type TargetKey = (typeof TARGET_KEYS)[number];

/** The targets by key; SQLite files go under `scratchDir`, one per measurement. */
export function makeTargets(scratchDir: string): Record<TargetKey, Target> {
  let files = 0;
  return {
    memory: { name: 'errand-memory', sharedProcess: true, freshUrl: () => 'memory:' },
    sqlite: {
      name: 'errand-sqlite',
      sharedProcess: false,
      freshUrl: (label) => `sqlite:${path.join(scratchDir, `${++files}-${label}.db`)}`,
    },
  };
}
