import { Redis } from 'ioredis';
import type { Logger, Wakeups } from '@errand/core';
import { closeClient, watchConnection } from './connection.ts';
import type { Client } from './scripts.ts';

type Listener = (queues: readonly string[]) => void;

/** setTimeout's longest delay; a later scheduled job is found by a later claim's answer. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Cross-process wake-ups over Redis pub/sub, on the channel `{prefix}:wake`.
 *
 * - insert.lua PUBLISHes the queues that got queued jobs in the same atomic step as the insert, so
 *   an idle worker in any process claims within a round trip of the commit. The core's notify()
 *   that follows an insert is then a no-op for those queues (see `announced`); notify() PUBLISHes
 *   for anything else (a rescue, a job handed back, an operator's retry).
 * - Subscribers listen on one extra connection, `duplicate()` of the command connection, opened at
 *   the first subscribe(). ioredis re-subscribes after a reconnect; a wake-up published while the
 *   connection was down is lost, and polling (the worker's pollInterval) finds those jobs.
 * - Scheduled jobs: every claim answers with the runAt of the earliest job still waiting in
 *   `delayed`; a timer rings the subscribers when it falls due, so a delayed job starts on time
 *   without polling for it. The delay is counted from the claim's `now`: the core's clock.
 */
export class RedisWakeups implements Wakeups {
  readonly #client: () => Client;
  readonly #channel: string;
  readonly #logger: Logger;
  readonly #listeners = new Set<Listener>();
  #subscriber: { client: Client; readonly closing: () => void } | null = null;
  #subscribing: Promise<void> | null = null;
  /** Queues that an insert in this turn of the event loop already announced. */
  #announced: Set<string> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #timerRunAt = Infinity;

  constructor(client: () => Client, channel: string, logger: Logger) {
    this.#client = client;
    this.#channel = channel;
    this.#logger = logger;
  }

  async notify(queues: readonly string[]): Promise<void> {
    const announced = this.#announced;
    const rest = announced === null ? queues : queues.filter((queue) => !announced.has(queue));
    if (rest.length === 0) return;
    await this.#client().publish(this.#channel, JSON.stringify(rest));
  }

  async subscribe(listener: Listener): Promise<() => Promise<void>> {
    this.#listeners.add(listener);
    try {
      this.#subscribing ??= this.#openSubscriber();
      await this.#subscribing;
    } catch (error) {
      this.#listeners.delete(listener);
      this.#subscribing = null;
      throw error;
    }
    return async () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) await this.close();
    };
  }

  /**
   * insert.lua published these queues: a notify() for them in the same turn of the event loop
   * (the core's, right after the insert resolves) has nothing left to do.
   */
  announced(queues: readonly string[]): void {
    if (queues.length === 0) return;
    if (this.#announced === null) {
      this.#announced = new Set();
      setImmediate(() => {
        this.#announced = null;
      });
    }
    for (const queue of queues) this.#announced.add(queue);
  }

  /** A claim's answer: the earliest waiting scheduled job is due at `runAt` (core time), in `queue`. */
  nextScheduled(runAt: number, queue: string, now: number): void {
    if (this.#listeners.size === 0 || runAt <= now || runAt >= this.#timerRunAt) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerRunAt = runAt;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#timerRunAt = Infinity;
        this.#emit([queue]);
      },
      Math.min(LONGEST_TIMER_MS, runAt - now),
    );
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerRunAt = Infinity;
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    this.#subscribing = null;
    if (subscriber !== null) await closeClient(subscriber.client, subscriber.closing);
  }

  async #openSubscriber(): Promise<void> {
    const client = this.#client();
    // Same server, same settings, a connection of its own (a subscribed connection can only listen).
    const subscriber: Client = client instanceof Redis ? client.duplicate() : client.duplicate();
    this.#subscriber = {
      client: subscriber,
      ...watchConnection(subscriber, 'wake-up subscription', this.#logger),
    };
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel) return;
      let queues: unknown;
      try {
        queues = JSON.parse(message);
      } catch {
        queues = null;
      }
      if (!Array.isArray(queues) || !queues.every((queue) => typeof queue === 'string')) {
        this.#logger.warn(`ignored a malformed wake-up on ${this.#channel}`, {
          message: message.slice(0, 200),
        });
        return;
      }
      this.#emit(queues);
    });
    await subscriber.subscribe(this.#channel);
  }

  #emit(queues: readonly string[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(queues);
      } catch (error) {
        this.#logger.error('a wake-up listener threw', { error });
      }
    }
  }
}
