import { EventEmitter } from 'node:events';
import type { Adapter, AdapterSpec, BenchInput, Producer, WorkerHooks } from './adapter.ts';
import { NOOP } from './adapter.ts';
import { importPeer, type GraphileWorkerModule, type GraphileWorkerUtils } from './peer-types.ts';

/**
 * graphile-worker's settings per variant, both at the concurrency the scenario asks for:
 * - `default`: nothing else set (a pool of 10, one job fetched per free slot, each completion its
 *   own statement);
 * - `fastest`: the batching options of its performance page (worker.graphile.org/docs/performance,
 *   the configuration of its quick stats): `localQueue: { size: 500 }`, `completeJobBatchDelay: 0`,
 *   `failJobBatchDelay: 0`, `maxPoolSize: 25`.
 */
export const GRAPHILE_VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  fastest: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0, maxPoolSize: 25 },
};

export class GraphileWorkerAdapter implements Adapter {
  readonly #spec: AdapterSpec;
  #module!: GraphileWorkerModule;
  #utils!: GraphileWorkerUtils;
  #closers: (() => Promise<void>)[] = [];

  constructor(spec: AdapterSpec) {
    this.#spec = spec;
  }

  get #shared() {
    return {
      connectionString: this.#spec.url,
      schema: this.#spec.namespace,
      logger: new this.#module.Logger(() => () => {}),
    };
  }

  async open(): Promise<void> {
    this.#module = await importPeer<GraphileWorkerModule>('graphile-worker');
    this.#utils = await this.#module.makeWorkerUtils(this.#shared);
    await this.#utils.migrate();
    this.#closers.push(() => this.#utils.release());
  }

  producer(): Producer {
    const utils = this.#utils;
    return {
      enqueue: async (input) => void (await utils.addJob(NOOP, input)),
      enqueueMany: async (inputs) =>
        void (await utils.addJobs(inputs.map((payload) => ({ identifier: NOOP, payload })))),
      enqueueDelayed: async (inputs, delayMs) => {
        const runAt = new Date(Date.now() + delayMs);
        await utils.addJobs(inputs.map((payload) => ({ identifier: NOOP, payload, runAt })));
      },
    };
  }

  async prepareWorker(hooks: WorkerHooks) {
    const variant = GRAPHILE_VARIANTS[this.#spec.variant ?? 'default'];
    if (!variant) throw new TypeError(`graphile-worker: unknown variant ${this.#spec.variant}`);
    const { maxPoolSize, ...worker } = variant;
    const events = new EventEmitter();
    events.on('job:success', () => hooks.onDone());
    const options = {
      ...this.#shared,
      events,
      concurrency: hooks.concurrency,
      ...(maxPoolSize !== undefined && { maxPoolSize }),
      noHandleSignals: true,
      taskList: {
        [NOOP]: async (payload: unknown) => {
          hooks.onStart(payload as BenchInput);
        },
      },
      preset: { worker },
    };
    return {
      start: async () => {
        const runner = await this.#module.run(options);
        this.#closers.unshift(() => runner.stop());
        return { stop: () => runner.stop() };
      },
    };
  }

  async unfinished(): Promise<number> {
    return this.#utils.withPgClient(async (client) => {
      const { rows } = await client.query(
        `select count(*)::int as n from "${this.#spec.namespace}"._private_jobs`,
      );
      return rows[0]!.n as number;
    });
  }

  async close(): Promise<void> {
    for (const close of this.#closers) await close().catch(() => {});
  }
}
