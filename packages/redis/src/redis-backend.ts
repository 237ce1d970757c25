import type {
  Backend,
  ClaimRequest,
  FinishedCount,
  FinishedCountsRequest,
  InsertOptions,
  JobPage,
  JobRecord,
  JobState,
  JobTransition,
  Lease,
  ListFilter,
  NewJob,
  NewUniqueJob,
  ScheduleDefinition,
  ScheduleRecord,
  StateCount,
  WorkerRecord,
} from '@errand/core';
import {
  checkEvictionPolicy,
  closeClient,
  describeServer,
  openClient,
  watchConnection,
} from './connection.ts';
import type { ResolvedOptions } from './options.ts';
import {
  cursor,
  isJobId,
  limitArgs,
  newJobArgs,
  refuseTransaction,
  toRecord,
  toRecords,
  transitionJson,
  uniqueJobArgs,
} from './records.ts';
import { finishedCounts } from './finished-counts.ts';
import { byCodeUnit, fireArgs, fireSchedule, listSchedules, recordArgs } from './schedules.ts';
import { ScriptRunner, type Client } from './scripts.ts';
import { RedisWakeups } from './wakeups.ts';

/** Most jobs one claim script takes; a larger limit is claimed in several scripts. */
const CLAIM_CHUNK = 1_000;
/** Most changes (or leases) per script, so that one call never holds Redis for long. */
const WRITE_CHUNK = 500;
/** Most jobs one prune script deletes. */
const PRUNE_CHUNK = 1_000;
/** Most jobs one list script examines before it hands back a cursor. */
const LIST_BUDGET = 1_000;
/** Most jobs one step of build-id-index.lua reads (a store written before the id sets). */
const ID_INDEX_CHUNK = 1_000;

/**
 * The Redis backend. Every state change is one Lua script (src/lua/*.lua), so it is atomic on the
 * server: nothing is read into Node, changed and written back. Reads that need several keys (a job
 * with a long payload, a page of jobs) are scripts too, so they see one consistent state.
 */
export class RedisBackend implements Backend {
  readonly kind = 'redis';
  /** One claim's round trip overlaps the other lane's jobs: +25-30 % at c=100 on the bench (docs/BENCHMARKS.md). */
  readonly overlapClaims = true;
  readonly wakeups: RedisWakeups;
  readonly #options: ResolvedOptions;
  /** KEYS[1] of every script: the routing key, `{prefix}:id`. */
  readonly #idKey: string;
  readonly #workersKey: string;
  readonly #pausedKey: string;
  readonly #schedulesKey: string;
  #client: Client | null = null;
  #scripts: ScriptRunner | null = null;
  #watch: { readonly closing: () => void } | null = null;
  #opening: Promise<void> | null = null;
  #ready = false;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    const tag = `{${options.prefix}}:`;
    this.#idKey = `${tag}id`;
    this.#workersKey = `${tag}workers`;
    this.#pausedKey = `${tag}paused`;
    this.#schedulesKey = `${tag}schedules`;
    this.wakeups = new RedisWakeups(() => this.#require().client, `${tag}wake`, options.logger);
  }

  /** The key prefix with its hash tag, e.g. `{errand}:`; every key errand writes starts with it. */
  get keyPrefix(): string {
    return `{${this.#options.prefix}}:`;
  }

  async init(): Promise<void> {
    if (this.#closed) throw new Error('redis backend: init() after close(); create a new backend');
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = null;
      throw error;
    });
    await this.#opening;
  }

  async insert(jobs: readonly NewJob[], options?: InsertOptions): Promise<string[]> {
    const { scripts } = this.#require();
    refuseTransaction(options?.tx, 'insert');
    if (jobs.length === 0) return [];
    const rows = new Array<(string | null)[]>(jobs.length);
    for (let i = 0; i < jobs.length; i++) rows[i] = newJobArgs(jobs[i]!, i, jobs.length);
    const first = Number(await scripts.run('insert', this.#idKey, [JSON.stringify(rows)]));
    this.#announce(jobs);
    return Array.from({ length: jobs.length }, (_, i) => String(first + i));
  }

  async insertUnique(
    job: NewUniqueJob,
    options: { now: number; tx?: unknown },
  ): Promise<{ id: string; created: boolean }> {
    const { scripts } = this.#require();
    refuseTransaction(options.tx, 'insertUnique');
    if (!Number.isFinite(options.now)) throw new TypeError('insertUnique: "now" must be a finite number');
    const args = uniqueJobArgs(job);
    const reply = await scripts.run('insert-unique', this.#idKey, [options.now, ...args]);
    const [id, created] = JSON.parse(reply as string) as [string, boolean];
    if (created) this.#announce([job]);
    return { id, created };
  }

  async claim(request: ClaimRequest): Promise<JobRecord[]> {
    const { scripts } = this.#require();
    const { queues, tasks, limit, now } = request;
    if (!(limit > 0) || tasks.length === 0 || queues?.length === 0) return [];
    const claimed: JobRecord[] = [];
    for (let remaining = Math.floor(limit); remaining > 0;) {
      const chunk = Math.min(remaining, CLAIM_CHUNK);
      const reply = (await scripts.run('claim', this.#idKey, [
        now,
        chunk,
        request.leaseToken,
        request.leaseUntil,
        request.workerId,
        tasks.length,
        ...tasks,
        queues === null ? -1 : queues.length,
        ...(queues ?? []),
        ...limitArgs(request),
      ])) as string;
      const [nextRunAt, nextQueue, rows] = JSON.parse(reply) as [string | false, string | false, unknown];
      if (nextRunAt !== false && nextQueue !== false) {
        this.wakeups.nextScheduled(Number(nextRunAt), nextQueue, now);
      }
      const jobs = toRecords(rows);
      for (const job of jobs) {
        // What claim.lua wrote, and left out of its reply.
        job.state = 'running';
        job.startedAt = now;
        job.leaseToken = request.leaseToken;
        job.leaseUntil = request.leaseUntil;
        job.workerId = request.workerId;
        claimed.push(job);
      }
      if (jobs.length < chunk) break;
      remaining -= chunk;
    }
    return claimed;
  }

  async renewLeases(leases: readonly Lease[], leaseUntil: number): Promise<string[]> {
    const { scripts } = this.#require();
    const valid = leases.filter((lease) => isJobId(lease.id) && typeof lease.leaseToken === 'string');
    const renewed: string[] = [];
    for (let i = 0; i < valid.length; i += WRITE_CHUNK) {
      const chunk = valid.slice(i, i + WRITE_CHUNK).map((lease) => [lease.id, lease.leaseToken]);
      const reply = await scripts.run('renew-leases', this.#idKey, [leaseUntil, JSON.stringify(chunk)]);
      const ids: unknown = JSON.parse(reply as string);
      if (Array.isArray(ids)) for (const id of ids as string[]) renewed.push(id);
    }
    return renewed;
  }

  async transition(changes: readonly JobTransition[]): Promise<boolean[]> {
    const { scripts } = this.#require();
    const applied = new Array<boolean>(changes.length).fill(false);
    for (let start = 0; start < changes.length; start += WRITE_CHUNK) {
      const rows: string[] = [];
      const sent: number[] = [];
      const end = Math.min(changes.length, start + WRITE_CHUNK);
      for (let i = start; i < end; i++) {
        const row = transitionJson(changes[i]!);
        if (row === null) continue;
        rows.push(row);
        sent.push(i);
      }
      if (rows.length === 0) continue;
      const results = (await scripts.run('transition', this.#idKey, [`[${rows.join(',')}]`])) as string;
      // One '1' (applied) or '0' per change sent.
      for (let k = 0; k < sent.length; k++) applied[sent[k]!] = results.charCodeAt(k) === 49;
    }
    return applied;
  }

  async requestCancel(id: string): Promise<boolean> {
    const { scripts } = this.#require();
    if (!isJobId(id)) return false;
    return (await scripts.run('request-cancel', this.#idKey, [id])) === 1;
  }

  async cancelRequested(ids: readonly string[]): Promise<string[]> {
    const { scripts } = this.#require();
    const valid = ids.filter(isJobId);
    const asked: string[] = [];
    for (let i = 0; i < valid.length; i += WRITE_CHUNK) {
      const reply = await scripts.run('cancel-requested', this.#idKey, valid.slice(i, i + WRITE_CHUNK));
      const chunk: unknown = JSON.parse(reply as string);
      if (Array.isArray(chunk)) for (const id of chunk as string[]) asked.push(id);
    }
    return asked;
  }

  async setQueuePaused(queue: string, paused: boolean): Promise<void> {
    const { client } = this.#require();
    if (typeof queue !== 'string')
      throw new TypeError(`setQueuePaused: queue must be a string (got ${typeof queue})`);
    // One SADD or SREM, atomic on its own; claim.lua reads the set.
    if (paused) {
      await client.sadd(this.#pausedKey, queue);
    } else if ((await client.srem(this.#pausedKey, queue)) === 1) {
      // Its waiting jobs are claimable again: wake the idle workers.
      await this.wakeups.notify([queue]);
    }
  }

  async pausedQueues(): Promise<string[]> {
    const { client } = this.#require();
    return (await client.smembers(this.#pausedKey)).sort(byCodeUnit);
  }

  async recordSchedules(schedules: readonly ScheduleDefinition[], declaredAt: number): Promise<void> {
    const { scripts } = this.#require();
    await scripts.run('record-schedules', this.#idKey, recordArgs(schedules, declaredAt));
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return await listSchedules(this.#require().client, this.#schedulesKey);
  }

  async fireSchedule(fire: {
    name: string;
    tick: number;
    jobs: readonly NewJob[];
  }): Promise<string[] | null> {
    const { scripts } = this.#require();
    const ids = await fireSchedule(scripts, this.#idKey, fireArgs(fire));
    if (ids !== null) this.#announce(fire.jobs);
    return ids;
  }

  async setSchedulePaused(name: string, paused: boolean): Promise<boolean> {
    const { scripts } = this.#require();
    if (typeof name !== 'string')
      throw new TypeError(`setSchedulePaused: name must be a string (got ${typeof name})`);
    const reply = await scripts.run('set-schedule-paused', this.#idKey, [name, paused ? '1' : '0']);
    return reply === 1;
  }

  async recordProgress(id: string, leaseToken: string, progress: string): Promise<boolean> {
    const { scripts } = this.#require();
    if (typeof progress !== 'string') {
      throw new TypeError(`recordProgress: progress must be JSON text (got ${typeof progress})`);
    }
    if (!isJobId(id) || typeof leaseToken !== 'string') return false;
    const stored = await scripts.run('record-progress', this.#idKey, [id, leaseToken, progress]);
    return stored === 1;
  }

  async findExpired(request: { now: number; limit: number }): Promise<JobRecord[]> {
    const { scripts } = this.#require();
    if (!(request.limit > 0)) return [];
    const reply = await scripts.run('find-expired', this.#idKey, [request.now, Math.floor(request.limit)]);
    return toRecords(JSON.parse(reply as string));
  }

  async get(id: string): Promise<JobRecord | null> {
    const { scripts } = this.#require();
    if (!isJobId(id)) return null;
    const reply = await scripts.run('get', this.#idKey, [id]);
    return reply === null ? null : toRecord(JSON.parse(reply as string) as Parameters<typeof toRecord>[0]);
  }

  async list(filter: ListFilter): Promise<JobPage> {
    const { scripts } = this.#require();
    const limit = Math.floor(filter.limit);
    let before = filter.before === undefined ? '' : cursor(filter.before);
    if (!(limit > 0)) return { jobs: [], next: null };
    const jobs: JobRecord[] = [];
    // One more than asked, to know whether another page follows.
    const want = limit + 1;
    for (;;) {
      const reply = await scripts.run('list', this.#idKey, [
        filter.state ?? '',
        filter.task ?? '',
        filter.queue ?? '',
        before,
        want - jobs.length,
        LIST_BUDGET,
      ]);
      const [stoppedAt, rows] = JSON.parse(reply as string) as [string | false, unknown, number];
      for (const job of toRecords(rows)) jobs.push(job);
      if (stoppedAt === false || jobs.length >= want) break;
      before = stoppedAt;
    }
    const more = jobs.length > limit;
    if (more) jobs.length = limit;
    return { jobs, next: more ? jobs[jobs.length - 1]!.id : null };
  }

  async stats(): Promise<StateCount[]> {
    const { scripts } = this.#require();
    const [counts, pairs] = (await scripts.run('stats', this.#idKey, [])) as [string[], string[]];
    const names = new Map<string, [queue: string, task: string]>();
    for (let i = 0; i < pairs.length; i += 2)
      names.set(pairs[i]!, JSON.parse(pairs[i + 1]!) as [string, string]);
    const stats: StateCount[] = [];
    for (let i = 0; i < counts.length; i += 2) {
      const field = counts[i]!;
      const split = field.lastIndexOf(':');
      const name = names.get(field.slice(0, split));
      const count = Number(counts[i + 1]);
      if (name === undefined || !(count > 0)) continue;
      stats.push({ queue: name[0], task: name[1], state: field.slice(split + 1) as JobState, count });
    }
    return stats;
  }

  async prune(request: { before: number; limit: number }): Promise<number> {
    const { scripts } = this.#require();
    let total = 0;
    for (let remaining = Math.floor(request.limit); remaining > 0;) {
      const chunk = Math.min(remaining, PRUNE_CHUNK);
      const deleted = Number(await scripts.run('prune', this.#idKey, [request.before, chunk]));
      total += deleted;
      if (deleted < chunk) break;
      remaining -= deleted;
    }
    return total;
  }

  async deleteJob(id: string, from: readonly JobState[]): Promise<boolean> {
    const { scripts } = this.#require();
    if (!isJobId(id) || from.length === 0) return false;
    return (await scripts.run('delete-job', this.#idKey, [id, ...from])) === 1;
  }

  async finishedCounts(request: FinishedCountsRequest): Promise<FinishedCount[]> {
    const { client, scripts } = this.#require();
    return finishedCounts(client, scripts, this.#idKey, `${this.keyPrefix}pairs`, request);
  }

  async recordWorker(worker: WorkerRecord): Promise<void> {
    const { client } = this.#require();
    // One HSET, atomic on its own; the record is JSON of errand's own making.
    await client.hset(this.#workersKey, worker.id, JSON.stringify(worker));
  }

  async listWorkers(request: { seenSince: number }): Promise<WorkerRecord[]> {
    const { client } = this.#require();
    const all = await client.hgetall(this.#workersKey);
    return Object.values(all)
      .map((json) => JSON.parse(json) as WorkerRecord)
      .filter((worker) => worker.heartbeatAt >= request.seenSince);
  }

  async removeWorker(id: string): Promise<void> {
    const { client } = this.#require();
    await client.hdel(this.#workersKey, id);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    await this.#opening?.catch(() => undefined);
    await this.wakeups.close();
    const client = this.#client;
    this.#client = null;
    this.#scripts = null;
    // An app's own client stays open: it is the app's to close.
    if (client !== null && this.#watch !== null) await closeClient(client, this.#watch.closing);
  }

  async #open(): Promise<void> {
    const options = this.#options;
    const own = options.client === null;
    const client = options.client ?? openClient(options);
    this.#client = client;
    if (own) this.#watch = watchConnection(client, 'command', options.logger);
    let scripts: ScriptRunner;
    try {
      scripts = await ScriptRunner.open(client);
    } catch (error) {
      this.#client = null;
      if (own) await closeClient(client, this.#watch!.closing);
      throw new Error(
        `redis backend: cannot set up at ${describeServer(client)}: ${(error as Error).message}. ` +
          'Check that Redis (6.2 or later) is running there and the URL or options are right.',
        { cause: error },
      );
    }
    this.#scripts = scripts;
    await checkEvictionPolicy(client, options.logger);
    await this.#buildIdIndex(scripts);
    this.#ready = true;
  }

  /**
   * A store written before the by-state and by-pair id sets existed gets them here, once: steps of
   * ID_INDEX_CHUNK jobs each until build-id-index.lua says every job is in. Processes starting
   * together share the walk, and one interrupted resumes it.
   */
  async #buildIdIndex(scripts: ScriptRunner): Promise<void> {
    const step = () => scripts.run('build-id-index', this.#idKey, [ID_INDEX_CHUNK]);
    if ((await step()) === 1) return;
    const logger = this.#options.logger;
    logger.info(
      'redis backend: indexing the stored jobs by state, queue and task for list() (once, after an upgrade)',
    );
    const started = Date.now();
    while ((await step()) !== 1);
    logger.info(`redis backend: jobs indexed by state, queue and task in ${Date.now() - started} ms`);
  }

  /** The scripts PUBLISHed a wake-up for these jobs' queues: the core's notify() skips them. */
  #announce(jobs: readonly NewJob[]): void {
    const queued = new Set<string>();
    for (const job of jobs) if (job.state === 'queued') queued.add(job.queue);
    this.wakeups.announced([...queued]);
  }

  #require(): { client: Client; scripts: ScriptRunner } {
    if (this.#ready && this.#client !== null && this.#scripts !== null)
      return { client: this.#client, scripts: this.#scripts };
    throw new Error(
      this.#closed
        ? 'redis backend: used after close(); create a new backend'
        : 'redis backend: call init() before using it (the errand app does this when it starts)',
    );
  }
}
