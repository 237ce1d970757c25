/**
 * Finds the user's errand app: imports their module (TypeScript included: the
 * `errand` bin registers tsx first) and picks the Errand it exports.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createErrand, DEFAULT_URL, Errand } from '@errand/core';
import { CliError, messageOf } from './cli-error.ts';

/** Extensions tried, in order, when the module is named without one (`errand worker ./tasks`). */
const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cts', '.cjs'];

/**
 * Imports `modulePath` (relative to the working directory) and returns the app
 * it exports: the default export, else the export named `app`, else the only
 * export that is an Errand. Anything else is a CliError saying how to fix it.
 */
export async function loadApp(modulePath: string): Promise<Errand> {
  const file = findModuleFile(modulePath);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`could not load ${modulePath}: ${messageOf(error)}`, { cause: error });
  }
  return pickApp(exports, modulePath);
}

/**
 * The app a command other than `worker` and `enqueue` works on: the one
 * `--app` names, else a bare app on ERRAND_URL (default `sqlite:./errand.db`),
 * which needs no task declarations to list, inspect, retry or cancel jobs.
 */
export async function openApp(options: { app?: string | undefined }): Promise<Errand> {
  if (options.app !== undefined) return loadApp(options.app);
  if (process.env.ERRAND_URL === undefined && DEFAULT_URL.startsWith('sqlite:')) {
    // Opening the default file would create it: a command run in the wrong directory would then
    // answer "no jobs" and leave an empty database behind.
    const file = DEFAULT_URL.slice('sqlite:'.length);
    if (!existsSync(file)) {
      throw new CliError(
        `no job store here: ERRAND_URL is not set and ${file} does not exist; set ERRAND_URL (e.g. sqlite:./path/to/errand.db) or pass --app <module>`,
      );
    }
  }
  return createErrand();
}

function findModuleFile(modulePath: string): string {
  const file = path.resolve(modulePath);
  const candidates = [file, ...EXTENSIONS.map((extension) => file + extension)];
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (!found) throw new CliError(`cannot find the app module ${modulePath} (looked for ${file})`);
  return found;
}

function pickApp(exports: Record<string, unknown>, label: string): Errand {
  // A CommonJS module (or one compiled to it) arrives as { default: module.exports }.
  const commonJs = exports.default;
  const app =
    appIn(exports) ??
    (commonJs !== null && typeof commonJs === 'object'
      ? appIn(commonJs as Record<string, unknown>)
      : undefined);
  if (app) return app;
  const several = Object.entries(exports).filter(([, value]) => isErrand(value));
  if (several.length > 1) {
    const names = several.map(([name]) => name).join(', ');
    throw new CliError(
      `${label} exports several errand apps (${names}); export the one to use as default or as "app"`,
    );
  }
  throw new CliError(
    `${label} exports no errand app; export it as default (export default createErrand()) or as "app" (export const app = createErrand())`,
  );
}

/** The app among a module's exports: default, else `app`, else the only Errand; undefined if none or several. */
function appIn(exports: Record<string, unknown>): Errand | undefined {
  if (isErrand(exports.default)) return exports.default;
  if (isErrand(exports.app)) return exports.app;
  const apps = Object.values(exports).filter(isErrand);
  return apps.length === 1 ? apps[0] : undefined;
}

/**
 * instanceof, or the same shape: an app built by a second copy of
 * @errand/core (two versions installed side by side) still works here.
 */
function isErrand(value: unknown): value is Errand {
  if (value instanceof Errand) return true;
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate.constructor?.name === 'Errand' &&
    ['taskNamed', 'taskNames', 'worker', 'storage', 'jobs', 'close'].every(
      (method) => typeof candidate[method] === 'function',
    )
  );
}

/** Runs `work` with the app, then closes its backend whatever happens. */
export async function usingApp<T>(app: Errand, work: (app: Errand) => Promise<T>): Promise<T> {
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
