import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage, TargetJob } from './protocol.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'target-process.ts');

/**
 * errand runs as a user installs it, from the packages' dist/ (`npm run build`, which `npm run bench`
 * does first), so that neither its CPU nor its RSS includes tsx compiling its sources; tsx still loads
 * the bench's own files, for every library alike. Without a build, errand runs from its sources.
 */
export const ERRAND_BUILT = existsSync(path.resolve(HERE, '../packages/core/dist/index.js'));
const EXEC_ARGV = ERRAND_BUILT ? ['--import', 'tsx'] : ['--conditions=errand-source', '--import', 'tsx'];

/** A running bench/target-process.ts, and its messages in order. */
export class TargetProcess {
  readonly #child: ChildProcess;
  readonly #inbox: ChildMessage[] = [];
  #waiter: { resolve: (message: ChildMessage) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  readonly #timer: NodeJS.Timeout;
  /** Rejects when the process fails (exits early, errs or times out): race it against a wait. */
  readonly failure: Promise<never>;
  #rejectFailure!: (error: Error) => void;
  /** Called with every `progress` message as it comes. */
  onProgress: ((message: Extract<ChildMessage, { type: 'progress' }>) => void) | undefined;

  constructor(job: TargetJob, options: { node: string; timeoutMs: number }) {
    this.failure = new Promise<never>((_, reject) => (this.#rejectFailure = reject));
    this.failure.catch(() => {});
    this.#child = fork(SCRIPT, [JSON.stringify(job)], {
      execPath: options.node,
      execArgv: EXEC_ARGV,
      cwd: path.resolve(HERE, '..'),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.#timer = setTimeout(() => {
      this.#fail(new Error(`${job.mode} (${describe(job)}) did not finish within ${options.timeoutMs} ms`));
      this.#child.kill('SIGKILL');
    }, options.timeoutMs);
    const debug = process.env.ERRAND_BENCH_DEBUG
      ? (what: string) =>
          process.stderr.write(
            `    [${new Date().toISOString().slice(17, 23)}] ${job.mode} ${this.#child.pid}: ${what}\n`,
          )
      : undefined;
    debug?.('spawned');
    this.#child.on('exit', (code) => debug?.(`exit ${code}`));
    this.#child.on('message', (message: ChildMessage) => {
      if (message.type !== 'progress') debug?.(message.type);
      if (message.type === 'progress') return this.onProgress?.(message);
      if (this.#waiter) {
        const { resolve } = this.#waiter;
        this.#waiter = undefined;
        resolve(message);
      } else this.#inbox.push(message);
    });
    this.#child.on('error', (error) => this.#fail(error));
    this.#child.on('exit', (code, signal) => {
      clearTimeout(this.#timer);
      if (code !== 0) this.#fail(new Error(`${job.mode} (${describe(job)}) exited with ${signal ?? code}`));
      else this.#fail(new Error(`${job.mode} (${describe(job)}) exited before answering`));
    });
  }

  /** The next message, which must be of `type`. */
  async next<Type extends ChildMessage['type']>(type: Type): Promise<Extract<ChildMessage, { type: Type }>> {
    const message =
      this.#inbox.shift() ??
      (await new Promise<ChildMessage>((resolve, reject) => {
        if (this.#failure) return reject(this.#failure);
        this.#waiter = { resolve, reject };
      }));
    if (message.type !== type)
      throw new Error(`expected "${type}" from the target process, got "${message.type}"`);
    return message as Extract<ChildMessage, { type: Type }>;
  }

  send(message: ParentMessage): void {
    this.#child.send(message);
  }

  /** Ends the process now (a filler, which never ends by itself). */
  kill(): void {
    this.#child.kill('SIGKILL');
  }

  /** Waits for the process to exit (it exits by itself after its last message), killing it after `ms`. */
  async exit(ms = 15_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), ms);
    await new Promise((resolve) => this.#child.once('exit', resolve));
    clearTimeout(killer);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#rejectFailure(error);
    if (this.#waiter) {
      const { reject } = this.#waiter;
      this.#waiter = undefined;
      reject(error);
    }
  }
}

function describe(job: TargetJob): string {
  if (job.mode === 'filler') return 'filler';
  const spec = 'spec' in job ? job.spec : job.specs[0];
  return `${spec.library}${spec.variant ? ` ${spec.variant}` : ''} on ${spec.namespace}`;
}
