/**
 * The few members of the peers' APIs the benchmark calls, typed here so that the root typecheck
 * (which runs where bench/node_modules is absent) never resolves the peers' own types. Each is
 * checked against the installed version by running the bench; the peers are imported with
 * `importPeer`, whose specifier TypeScript does not follow.
 */

export async function importPeer<Module>(name: string): Promise<Module> {
  try {
    return (await import(name)) as Module;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new Error(`${name} is not installed: run \`cd bench && npm ci\` to measure the peers`, {
        cause: error,
      });
    }
    throw error;
  }
}

// BullMQ (bullmq)
export interface BullConnection {
  host: string;
  port: number;
  db: number;
}
export interface BullQueue {
  add(name: string, data: unknown, options?: { delay?: number }): Promise<unknown>;
  addBulk(jobs: { name: string; data: unknown; opts?: { delay?: number } }[]): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}
export interface BullWorker {
  on(event: 'completed', listener: () => void): void;
  on(event: 'failed', listener: (job: unknown, error: Error) => void): void;
  waitUntilReady(): Promise<unknown>;
  run(): Promise<void>;
  close(): Promise<void>;
}
export interface BullmqModule {
  Queue: new (name: string, options: { connection: BullConnection; prefix: string }) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: { data: unknown }) => Promise<unknown>,
    options: { connection: BullConnection; prefix: string; concurrency: number; autorun: boolean },
  ) => BullWorker;
}

// graphile-worker
export interface GraphileJobSpec {
  identifier: string;
  payload: unknown;
  runAt?: Date;
}
export interface GraphileWorkerUtils {
  migrate(): Promise<void>;
  addJob(identifier: string, payload: unknown, spec?: { runAt?: Date }): Promise<unknown>;
  addJobs(specs: GraphileJobSpec[]): Promise<unknown>;
  withPgClient<T>(callback: (client: PgClientLike) => Promise<T>): Promise<T>;
  release(): Promise<void>;
}
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}
export interface GraphileRunner {
  stop(): Promise<void>;
  events: { on(event: string, listener: () => void): void };
}
export interface GraphileWorkerModule {
  makeWorkerUtils(options: Record<string, unknown>): Promise<GraphileWorkerUtils>;
  run(options: Record<string, unknown>): Promise<GraphileRunner>;
  Logger: new (factory: () => () => void) => unknown;
}

// pg-boss
export interface PgBoss {
  start(): Promise<unknown>;
  stop(options?: { graceful?: boolean; wait?: boolean; close?: boolean; timeout?: number }): Promise<void>;
  createQueue(name: string, options?: Record<string, unknown>): Promise<void>;
  send(name: string, data: unknown, options?: Record<string, unknown>): Promise<string | null>;
  insert(name: string, jobs: { data: unknown; startAfter?: Date }[]): Promise<unknown>;
  work(
    name: string,
    options: Record<string, unknown>,
    handler: (jobs: { data: unknown }[]) => Promise<unknown>,
  ): Promise<string>;
  on(event: 'error', listener: (error: Error) => void): void;
  getDb(): { executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };
}
export interface PgBossModule {
  PgBoss: new (options: Record<string, unknown>) => PgBoss;
}
