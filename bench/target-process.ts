/**
 * The child process every measurement runs in (bench/child.ts starts it): it opens one adapter on
 * one namespace and does one thing, talking to the bench over IPC. Run by the bench, never by hand.
 *
 *   enqueue          time N jobs enqueued one by one (first namespace) and in batches (second)
 *   filler           fills namespaces on request (N jobs and D delayed ones, in batches), untimed
 *   drain            a worker: `ready`, then on `go` it starts and reports progress until `stop`
 *   latency-worker   a worker that records each job's start minus the time it was offered
 *   latency-producer on `go`, offers N single jobs at a steady rate
 *
 * Times are wall-clock epoch milliseconds with sub-millisecond precision, so the bench can compare
 * them across processes.
 */
import type { Adapter, AdapterSpec, BenchInput, Producer } from './adapters/adapter.ts';
import { openAdapter } from './adapters/adapter.ts';
import { startProfile } from './profiler.ts';
import type { ChildMessage, ParentMessage, TargetJob } from './protocol.ts';

const job = JSON.parse(process.argv[2] ?? '') as TargetJob;
const now = () => performance.timeOrigin + performance.now();
const send = (message: ChildMessage) =>
  new Promise<void>((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );

const inbox: ParentMessage[] = [];
let waiting: ((message: ParentMessage) => void) | undefined;
/** The next message from the bench, whatever it is. */
const nextMessage = () => inbox.shift() ?? new Promise<ParentMessage>((resolve) => (waiting = resolve));
process.on('message', (message: ParentMessage) => {
  if (waiting) {
    const resolve = waiting;
    waiting = undefined;
    resolve(message);
  } else inbox.push(message);
});
/** The next message from the bench, which must be `type`. */
async function receive<Type extends ParentMessage['type']>(
  type: Type,
): Promise<Extract<ParentMessage, { type: Type }>> {
  const message = await nextMessage();
  if (message.type !== type) throw new Error(`expected "${type}" from the bench, got "${message.type}"`);
  return message as Extract<ParentMessage, { type: Type }>;
}

const inputs = (count: number, from = 0): BenchInput[] =>
  Array.from({ length: count }, (_, n) => ({ n: from + n }));

async function inBatches(
  enqueue: (batch: BenchInput[]) => Promise<void>,
  all: BenchInput[],
  size: number,
): Promise<void> {
  for (let start = 0; start < all.length; start += size) await enqueue(all.slice(start, start + size));
}

async function fill(producer: Producer, jobs: number, delayed: number, batchSize: number): Promise<void> {
  // Untimed, so four batches at a time: filling 1,000,000 jobs one batch at a time takes minutes.
  const inParallel = async (enqueue: (batch: BenchInput[]) => Promise<void>, all: BenchInput[]) => {
    let next = 0;
    const lane = async () => {
      while (next < all.length) {
        const start = next;
        next += batchSize;
        await enqueue(all.slice(start, start + batchSize));
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  };
  // Delayed first, so due jobs are the newest: nothing helps a claim skip them.
  await inParallel((batch) => producer.enqueueDelayed(batch, 3_600_000), inputs(delayed));
  await inParallel((batch) => producer.enqueueMany(batch), inputs(jobs, delayed));
}

async function withAdapter<T>(spec: AdapterSpec, use: (adapter: Adapter) => Promise<T>): Promise<T> {
  const adapter = await openAdapter(spec);
  try {
    return await use(adapter);
  } finally {
    await adapter.close();
  }
}

switch (job.mode) {
  case 'enqueue': {
    /** Jobs per second; `enqueue` answers how many it enqueued (it may stop early). */
    const rate = async (
      spec: AdapterSpec,
      enqueue: (producer: Producer, all: BenchInput[]) => Promise<number>,
    ) =>
      withAdapter(spec, async (adapter) => {
        const producer = adapter.producer();
        // An untimed warm-up, as in a web server that has been up for a while.
        await enqueue(producer, inputs(Math.min(500, job.jobs)));
        const all = inputs(job.jobs);
        const startedAt = now();
        const count = await enqueue(producer, all);
        return count / ((now() - startedAt) / 1_000);
      });
    // One by one stops after `oneByOneMs` if it has not finished: PostgreSQL commits each to disk.
    const oneByOne = await rate(job.specs[0], async (producer, all) => {
      const until = now() + job.oneByOneMs;
      let count = 0;
      for (const input of all) {
        await producer.enqueue(input);
        if (++count % 100 === 0 && now() > until) break;
      }
      return count;
    });
    const batched = await rate(job.specs[1], async (producer, all) => {
      await inBatches((batch) => producer.enqueueMany(batch), all, job.batchSize);
      return all.length;
    });
    await send({ type: 'enqueued', oneByOne, batched });
    // Exit at once: a closed library may still hold a timer (errand's grace period, pg-boss's loops).
    process.exit(0);
  }

  // eslint-disable-next-line no-fallthrough -- process.exit above ends the case
  case 'filler': {
    // Until the bench kills it: one fill after another, each on its own namespace.
    for (;;) {
      const message = await nextMessage();
      if (message.type !== 'fill') throw new Error(`the filler got "${message.type}"`);
      const startedAt = now();
      await withAdapter(message.spec, (adapter) =>
        fill(adapter.producer(), message.jobs, message.delayed, message.batchSize),
      );
      await send({ type: 'filled', ms: now() - startedAt });
    }
  }

  case 'drain': {
    const adapter = await openAdapter(job.spec);
    if (job.produce) await fill(adapter.producer(), job.produce.jobs, job.produce.delayed, 1_000);
    let count = 0;
    let lastAt = 0;
    let flushing = false;
    let cpuBefore = process.cpuUsage();
    const flush = () => {
      const cpu = process.cpuUsage(cpuBefore);
      void send({ type: 'progress', count, lastAt, cpuMs: (cpu.user + cpu.system) / 1_000 });
    };
    const prepared = await adapter.prepareWorker({
      concurrency: job.concurrency,
      onStart: () => {},
      onDone: () => {
        count++;
        lastAt = now();
        // The moment the bench waits for is reported exactly; the rest every 10 ms.
        if (count === job.countTo) flush();
        else if (!flushing) {
          flushing = true;
          setTimeout(() => {
            flushing = false;
            flush();
          }, 10);
        }
      },
    });
    await send({ type: 'ready' });
    const stopProfile = job.profileFile ? await startProfile() : undefined;
    await receive('go');
    cpuBefore = process.cpuUsage();
    const startedAt = now();
    const worker = await prepared.start();
    const { check } = await receive('stop');
    await stopProfile?.(job.profileFile!);
    const maxRssKb = process.resourceUsage().maxRSS;
    await worker.stop();
    // Some libraries write their last outcomes just after reporting them: give them 5 s.
    let unfinished = -1;
    if (check) {
      const until = now() + 5_000;
      while (
        (unfinished = await adapter.unfinished()) > (job.produce?.delayed ?? job.delayed) &&
        now() < until
      ) {
        await new Promise((settle) => setTimeout(settle, 20));
      }
    }
    await send({
      type: 'drained',
      startedAt,
      maxRssKb,
      claimsMs: adapter.claimTimings?.() ?? [],
      unfinished,
    });
    process.exit(0);
  }

  // eslint-disable-next-line no-fallthrough -- process.exit above ends the case
  case 'latency-worker': {
    const adapter = await openAdapter(job.spec);
    const latencies: number[] = [];
    let resolve!: () => void;
    const all = new Promise<void>((done) => (resolve = done));
    const prepared = await adapter.prepareWorker({
      concurrency: job.concurrency,
      onStart: (input) => {
        if (input.t === undefined) return;
        latencies.push(now() - input.t);
        if (latencies.length === job.jobs) resolve();
      },
      onDone: () => {},
    });
    const worker = await prepared.start();
    // Let the worker settle into idling (its first poll, its subscriptions) before jobs come.
    await new Promise((settle) => setTimeout(settle, 500));
    const cpuBefore = process.cpuUsage();
    await send({ type: 'ready' });
    await receive('go');
    if (job.produceInProcess) void offer(adapter.producer(), job.jobs, job.rate);
    const timeout = new Promise((settle) =>
      setTimeout(settle, (job.jobs / job.rate) * 1_000 + 30_000).unref(),
    );
    await Promise.race([all, timeout]);
    const cpu = process.cpuUsage(cpuBefore);
    await send({
      type: 'latencies',
      latenciesMs: latencies,
      cpuMs: (cpu.user + cpu.system) / 1_000,
      maxRssKb: process.resourceUsage().maxRSS,
    });
    await Promise.race([worker.stop(), new Promise((settle) => setTimeout(settle, 5_000).unref())]);
    process.exit(0);
  }

  // eslint-disable-next-line no-fallthrough -- process.exit above ends the case
  case 'latency-producer': {
    const adapter = await openAdapter(job.spec);
    await send({ type: 'ready' });
    await receive('go');
    await offer(adapter.producer(), job.jobs, job.rate);
    await send({ type: 'offered' });
    process.exit(0);
  }
}

/** Offers `jobs` single jobs at `rate` a second, each stamped with when it was offered. */
async function offer(producer: Producer, jobs: number, rate: number): Promise<void> {
  const startedAt = now();
  for (let n = 0; n < jobs; n++) {
    const due = startedAt + (n * 1_000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((settle) => setTimeout(settle, wait));
    await producer.enqueue({ n, t: now() });
  }
}
