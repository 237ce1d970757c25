import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/**
 * The Lua scripts in ./lua/*.lua (STYLE rule 8), each with common.lua in front, called by SHA.
 *
 * The folder is found from this module's URL as `../src/lua/`: the same folder whether this file
 * runs from src/ (tsx, tests) or from a built dist/ (the package ships src/, see "files").
 *
 * A script runs with EVALSHA; when the server does not know it (first use, a restarted or failed-over
 * server, SCRIPT FLUSH) Redis answers NOSCRIPT and the script is sent once with EVAL, which also
 * caches it. This is what ioredis's defineCommand does, without adding methods to an app's client.
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
  'build-list-index',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

export type Client = Redis | Cluster;

export type Arg = string | number;

export class Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;

  constructor(name: string, source: string) {
    this.name = name;
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `key` as KEYS[1] (the routing key) and `args` as ARGV. */
  async run(client: Client, key: string, args: readonly Arg[]): Promise<unknown> {
    // One array, not spread arguments: an insert of 20,000 jobs has 160,000 of them.
    try {
      return await client.call('EVALSHA', [this.sha, 1, key].concat(args));
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return await client.call('EVAL', [this.source, 1, key].concat(args));
    }
  }
}

let loaded: Record<ScriptName, Script> | null = null;

/** Every script, read from disk once per process. */
export function scripts(): Record<ScriptName, Script> {
  if (loaded === null) {
    const common = readFileSync(new URL('common.lua', LUA_DIR), 'utf8');
    const entries = SCRIPT_NAMES.map((name) => {
      const body = readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
      return [name, new Script(name, `${common}\n${body}`)] as const;
    });
    loaded = Object.fromEntries(entries) as Record<ScriptName, Script>;
  }
  return loaded;
}
