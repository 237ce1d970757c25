import type { Adapter, AdapterSpec, BenchInput, Producer, WorkerHooks } from './adapter.ts';
import { NOOP } from './adapter.ts';
import { importPeer, type PgBoss, type PgBossModule } from './peer-types.ts';

/**
 * pg-boss as its docs (docs/api/workers.md, docs/api/constructor.md, docs/api/queues.md) set it up
 * for throughput and latency: `useListenNotify: true` on the instance and `notify: true` on the
 * queue (a new job wakes the worker rather than waiting for its poll); the worker takes jobs in
 * batches, `batchSize` = the scenario's concurrency, one worker per process (`localConcurrency: 1`),
 * `burstWhenBatchFull: true` (fetch again at once while batches come back full) and the shortest
 * polling interval it allows, `pollingIntervalSeconds: 0.5`. Everything else is its default
 * (maintenance and scheduling on). The handler runs the batch's no-op jobs and returns; pg-boss
 * then completes the batch in one statement.
 */
export const PG_BOSS_WORK_OPTIONS = {
  localConcurrency: 1,
  burstWhenBatchFull: true,
  pollingIntervalSeconds: 0.5,
};

export class PgBossAdapter implements Adapter {
  readonly #spec: AdapterSpec;
  #boss!: PgBoss;

  constructor(spec: AdapterSpec) {
    this.#spec = spec;
  }

  async open(): Promise<void> {
    const { PgBoss } = await importPeer<PgBossModule>('pg-boss');
    this.#boss = new PgBoss({
      connectionString: this.#spec.url,
      schema: this.#spec.namespace,
      useListenNotify: true,
    });
    this.#boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
    await this.#boss.start();
    await this.#boss.createQueue(NOOP, { notify: true });
  }

  producer(): Producer {
    const boss = this.#boss;
    return {
      enqueue: async (input) => void (await boss.send(NOOP, input)),
      enqueueMany: async (inputs) =>
        void (await boss.insert(
          NOOP,
          inputs.map((data) => ({ data })),
        )),
      enqueueDelayed: async (inputs, delayMs) => {
        const startAfter = new Date(Date.now() + delayMs);
        await boss.insert(
          NOOP,
          inputs.map((data) => ({ data, startAfter })),
        );
      },
    };
  }

  async prepareWorker(hooks: WorkerHooks) {
    const boss = this.#boss;
    return {
      start: async () => {
        await boss.work(NOOP, { ...PG_BOSS_WORK_OPTIONS, batchSize: hooks.concurrency }, async (jobs) => {
          for (const job of jobs) hooks.onStart(job.data as BenchInput);
          await Promise.all(jobs.map(async () => null));
          for (let i = 0; i < jobs.length; i++) hooks.onDone();
        });
        return { stop: async () => {} };
      },
    };
  }

  async unfinished(): Promise<number> {
    const { rows } = await this.#boss
      .getDb()
      .executeSql(
        `select count(*)::int as n from "${this.#spec.namespace}".job where name = $1 and state in ('created', 'retry', 'active')`,
        [NOOP],
      );
    return rows[0]!.n as number;
  }

  async close(): Promise<void> {
    await this.#boss.stop({ graceful: true, wait: true, timeout: 5_000 });
  }
}
