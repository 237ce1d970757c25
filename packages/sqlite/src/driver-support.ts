import { createRequire } from 'node:module';

/**
 * better-sqlite3 13 is built for Node-API 10, which Node has from 22.14 on. On an older Node its
 * `new Database()` segfaults instead of throwing, so errand checks before it opens a file. npm
 * installs 12 on Node 20 by itself (13's engines ask for Node 22); this catches a 13 that got
 * there anyway, e.g. on Node 22.12-22.13 or through an app's own pin.
 */
const FIRST_NODE_API_MAJOR = 13;
const NODE_API_NEEDED = 10;

/** Why this better-sqlite3 cannot run on this Node, or null when it can. */
export function driverMismatch(
  driverVersion: string,
  nodeApiVersion: number,
  nodeVersion: string,
): string | null {
  const major = Number.parseInt(driverVersion, 10);
  if (major < FIRST_NODE_API_MAJOR || nodeApiVersion >= NODE_API_NEEDED) return null;
  return (
    `sqlite backend: better-sqlite3 ${driverVersion} needs Node-API ${NODE_API_NEEDED} (Node 22.14 or later), and ` +
    `Node ${nodeVersion} has Node-API ${nodeApiVersion}; it would crash the process. Install better-sqlite3 12 ` +
    `(npm install better-sqlite3@^12.11.1) or run a newer Node.`
  );
}

/** Throws driverMismatch()'s message for the installed better-sqlite3 on the running Node. */
export function assertDriverRunsHere(): void {
  const { version } = createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string };
  const mismatch = driverMismatch(version, Number(process.versions.napi), process.version);
  if (mismatch !== null) throw new Error(mismatch);
}
