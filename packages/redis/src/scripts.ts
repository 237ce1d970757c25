import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis, type Cluster } from 'ioredis';

/**
 * The Lua scripts in ./lua/*.lua (STYLE rule 8), each run with the helpers of common.lua.
 *
 * Where the server has Redis Functions (7.0 and later), common.lua and every script load once as one
 * library (FUNCTION LOAD) and each script runs by FCALL. common.lua's top level then runs once per
 * load instead of once per call: 25-30 µs less per call on the bench machine, twice on the way from
 * an enqueue to the job's start (docs/BENCHMARKS.md). The library's name carries a hash of its source,
 * so processes running different versions of errand on one server each call their own.
 *
 * Otherwise (Redis 6.2; Redis Cluster, where FUNCTION LOAD reaches one node only; ACLs that refuse
 * FUNCTION or FCALL) each script runs with common.lua in front by EVALSHA, sent once with EVAL
 * when the server does not know it (first use, a restarted or failed-over server, SCRIPT FLUSH).
 * FCALL of a function the server does not have (a restarted server without persistence, FUNCTION
 * FLUSH) loads the library again the same way.
 *
 * The folder is found from this module's URL as `../src/lua/`: the same folder whether this file
 * runs from src/ (tsx, tests) or from a built dist/ (the package ships src/, see "files").
 */
const LUA_DIR = new URL('../src/lua/', import.meta.url);

export const SCRIPT_NAMES = [
  'insert',
  'claim',
  'transition',
  'renew-leases',
  'record-progress',
  'find-expired',
  'get',
  'list',
  'prune',
  'stats',
  'insert-unique',
  'request-cancel',
  'cancel-requested',
  'record-schedules',
  'fire-schedule',
  'set-schedule-paused',
  'delete-job',
  'finished-counts',
  'build-id-index',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** Scripts that only read: flagged no-writes, so Redis runs them under maxmemory too. */
const READ_ONLY: ReadonlySet<ScriptName> = new Set([
  'find-expired',
  'get',
  'list',
  'stats',
  'cancel-requested',
  'finished-counts',
]);

export type Client = Redis | Cluster;

export type Arg = string | number;

/** How a client runs the scripts: FCALL of the library's functions, or EVALSHA. */
export type ScriptMode = 'function' | 'script';

interface Sources {
  /** Per script, the source EVALSHA runs: common.lua, begin(KEYS), the script. */
  readonly scripts: Record<ScriptName, { readonly source: string; readonly sha: string }>;
  /** The library FUNCTION LOAD takes. */
  readonly library: string;
  /** Per script, its function's name in the library. */
  readonly functions: Record<ScriptName, string>;
}

let loaded: Sources | null = null;

/** Every script's source, read from disk once per process. */
function sources(): Sources {
  if (loaded !== null) return loaded;
  const read = (name: string) => readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
  const common = read('common');
  const bodies = SCRIPT_NAMES.map((name) => [name, read(name)] as const);
  const scripts = {} as Record<ScriptName, { source: string; sha: string }>;
  for (const [name, body] of bodies) {
    const source = `${common}\nbegin(KEYS)\n${body}`;
    scripts[name] = { source, sha: sha1(source) };
  }
  const hash = sha1(bodies.map(([, body]) => body).join('\n') + common).slice(0, 12);
  const functions = {} as Record<ScriptName, string>;
  const registrations = bodies.map(([name, body]) => {
    functions[name] = `errand_${hash}_${name.replaceAll('-', '_')}`;
    const flags = READ_ONLY.has(name) ? "'no-writes'" : '';
    return (
      `redis.register_function{function_name = '${functions[name]}', flags = { ${flags} },\n` +
      `callback = function(KEYS, ARGV)\nbegin(KEYS)\n${body}\nend}`
    );
  });
  const library = `#!lua name=errand_${hash}\n${common}\n${registrations.join('\n')}\n`;
  loaded = { scripts, library, functions };
  return loaded;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Loads (or replaces) the library of every script as functions. */
async function loadLibrary(client: Client): Promise<void> {
  await client.call('FUNCTION', 'LOAD', 'REPLACE', sources().library);
}

/** The server cannot or may not run functions: run scripts instead. */
function functionsRefused(error: unknown): boolean {
  const message = String((error as Error)?.message);
  return message.startsWith('ERR unknown command') || message.startsWith('NOPERM');
}

/** Runs errand's scripts on one client, as functions where the server allows. */
export class ScriptRunner {
  readonly #client: Client;
  #mode: ScriptMode;
  #loading: Promise<void> | null = null;

  private constructor(client: Client, mode: ScriptMode) {
    this.#client = client;
    this.#mode = mode;
  }

  /**
   * Loads every script on the server up front (a script that does not compile fails here, not
   * mid-run) and settles how this client runs them.
   */
  static async open(client: Client): Promise<ScriptRunner> {
    if (client instanceof Redis) {
      try {
        await loadLibrary(client);
        return new ScriptRunner(client, 'function');
      } catch (error) {
        if (!functionsRefused(error)) throw error;
      }
    }
    await Promise.all(Object.values(sources().scripts).map(({ source }) => client.script('LOAD', source)));
    return new ScriptRunner(client, 'script');
  }

  get mode(): ScriptMode {
    return this.#mode;
  }

  /** Runs script `name` with `key` as KEYS[1] (the routing key) and `args` as ARGV. */
  async run(name: ScriptName, key: string, args: readonly Arg[]): Promise<unknown> {
    if (this.#mode === 'function') {
      try {
        return await this.#fcall(name, key, args);
      } catch (error) {
        if (String((error as Error)?.message).startsWith('ERR Function not found')) {
          try {
            await this.#reloadLibrary();
            return await this.#fcall(name, key, args);
          } catch (reloadError) {
            if (!functionsRefused(reloadError)) throw reloadError;
          }
        } else if (!functionsRefused(error)) throw error;
        // Refused before it ran: run it, and every script after it, by EVALSHA.
        this.#mode = 'script';
      }
    }
    const { source, sha } = sources().scripts[name];
    // One array, not spread arguments: an insert of 20,000 jobs has 160,000 of them.
    try {
      return await this.#client.call('EVALSHA', [sha, 1, key].concat(args));
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return await this.#client.call('EVAL', [source, 1, key].concat(args));
    }
  }

  #fcall(name: ScriptName, key: string, args: readonly Arg[]): Promise<unknown> {
    return this.#client.call('FCALL', [sources().functions[name], 1, key].concat(args));
  }

  /** One FUNCTION LOAD for all the calls that found the library missing at once. */
  #reloadLibrary(): Promise<void> {
    this.#loading ??= loadLibrary(this.#client).then(
      () => {
        this.#loading = null;
      },
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }
}
