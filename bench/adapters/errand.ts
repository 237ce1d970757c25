import { consoleLogger, createErrand, type Errand, type Task } from 'errand';
import type { Adapter, AdapterSpec, BenchInput, Producer, WorkerHooks } from './adapter.ts';
import { NOOP } from './adapter.ts';

/** errand on any backend, through its public API (createErrand, task, worker). */
export class ErrandAdapter implements Adapter {
  readonly #app: Errand;
  readonly #task: Task<BenchInput>;
  #hooks: WorkerHooks | undefined;
  readonly #claims: number[] = [];
  readonly #prefetch: number;

  constructor(spec: AdapterSpec) {
    this.#prefetch = spec.prefetch ?? 0;
    this.#app = createErrand({ backend: spec.url, logger: consoleLogger('warn') });
    this.#task = this.#app.declare<BenchInput>(NOOP, { keepSucceeded: spec.keepSucceeded ?? true });
    // The handler: a no-op that tells the bench it started.
    this.#app.implement(this.#task, (input) => {
      this.#hooks?.onStart(input);
      return null;
    });
  }

  async open(): Promise<void> {
    await this.#app.storage();
  }

  producer(): Producer {
    const task = this.#task;
    return {
      enqueue: async (input) => void (await task.enqueue(input)),
      enqueueMany: async (inputs) => void (await task.enqueueMany(inputs)),
      enqueueDelayed: async (inputs, delayMs) => void (await task.enqueueMany(inputs, { delay: delayMs })),
    };
  }

  async prepareWorker(hooks: WorkerHooks) {
    this.#hooks = hooks;
    // Time each claim round trip by wrapping the backend's claim (the same object the worker uses).
    const backend = await this.#app.storage();
    const claim = backend.claim.bind(backend);
    backend.claim = async (request) => {
      const startedAt = performance.now();
      const jobs = await claim(request);
      if (jobs.length > 0) this.#claims.push(performance.now() - startedAt);
      return jobs;
    };
    const worker = this.#app.worker({ concurrency: hooks.concurrency, prefetch: this.#prefetch });
    worker.on('succeeded', () => hooks.onDone());
    worker.on('failed', (job, error) => {
      process.stderr.write(`job ${job.id} failed: ${error.message}\n`);
    });
    return {
      start: async () => {
        await worker.start();
        return { stop: () => worker.stop() };
      },
    };
  }

  claimTimings(): number[] {
    return this.#claims;
  }

  async unfinished(): Promise<number> {
    const counts = await this.#app.stats();
    return counts
      .filter((group) => ['queued', 'scheduled', 'running'].includes(group.state))
      .reduce((sum, group) => sum + group.count, 0);
  }

  async close(): Promise<void> {
    await this.#app.close();
  }
}
