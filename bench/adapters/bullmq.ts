import type { Adapter, AdapterSpec, BenchInput, Producer, WorkerHooks } from './adapter.ts';
import { NOOP } from './adapter.ts';
import { importPeer, type BullConnection, type BullmqModule, type BullQueue } from './peer-types.ts';

/**
 * BullMQ with its defaults: a Queue for producing, a Worker at the given concurrency. Jobs keep
 * BullMQ's default retention (completed jobs stay in Redis, as errand keeps succeeded ones).
 */
export class BullmqAdapter implements Adapter {
  readonly #spec: AdapterSpec;
  readonly #connection: BullConnection;
  #bullmq!: BullmqModule;
  #queue!: BullQueue;
  #closers: (() => Promise<void>)[] = [];

  constructor(spec: AdapterSpec) {
    this.#spec = spec;
    const url = new URL(spec.url);
    this.#connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      db: Number(url.pathname.slice(1) || 0),
    };
  }

  async open(): Promise<void> {
    this.#bullmq = await importPeer<BullmqModule>('bullmq');
    this.#queue = new this.#bullmq.Queue(NOOP, {
      connection: this.#connection,
      prefix: this.#spec.namespace,
    });
    await this.#queue.waitUntilReady();
    this.#closers.push(() => this.#queue.close());
  }

  producer(): Producer {
    const queue = this.#queue;
    return {
      enqueue: async (input) => void (await queue.add(NOOP, input)),
      enqueueMany: async (inputs) => void (await queue.addBulk(inputs.map((data) => ({ name: NOOP, data })))),
      enqueueDelayed: async (inputs, delay) =>
        void (await queue.addBulk(inputs.map((data) => ({ name: NOOP, data, opts: { delay } })))),
    };
  }

  async prepareWorker(hooks: WorkerHooks) {
    const worker = new this.#bullmq.Worker(
      NOOP,
      async (job) => {
        hooks.onStart(job.data as BenchInput);
        return null;
      },
      {
        connection: this.#connection,
        prefix: this.#spec.namespace,
        concurrency: hooks.concurrency,
        autorun: false,
      },
    );
    worker.on('completed', () => hooks.onDone());
    worker.on('failed', (_job, error) => process.stderr.write(`BullMQ job failed: ${error.message}\n`));
    await worker.waitUntilReady();
    this.#closers.unshift(() => worker.close());
    return {
      start: async () => {
        void worker.run();
        return { stop: () => worker.close() };
      },
    };
  }

  async unfinished(): Promise<number> {
    const counts = await this.#queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async close(): Promise<void> {
    for (const close of this.#closers) await close();
  }
}
