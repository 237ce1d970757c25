import { memoryBackend } from '../memory/index.ts';
import type { Backend } from './backend.ts';

/** Where jobs live when nothing says otherwise: a file beside the app. */
export const DEFAULT_URL = 'sqlite:./errand.db';

/** The package that brings each URL scheme's backend, and its driver, so the core needs none. */
const PACKAGE_BY_SCHEME: Record<string, string> = {
  sqlite: '@errand/sqlite',
  postgres: '@errand/postgres',
  postgresql: '@errand/postgres',
  redis: '@errand/redis',
  rediss: '@errand/redis',
};

interface BackendPackage {
  fromUrl(url: string): Backend;
}

/** Opens the backend a URL names: `memory:`, `sqlite:./jobs.db`, `postgres://…`, `redis://…`. */
export async function backendFromUrl(url: string): Promise<Backend> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'memory') return memoryBackend();
  const packageName = scheme ? PACKAGE_BY_SCHEME[scheme] : undefined;
  if (!packageName) {
    throw new TypeError(
      `ERRAND_URL ${JSON.stringify(url)} is not one errand knows; use memory:, sqlite:./path.db, postgres://… or redis://…`,
    );
  }
  let loaded: BackendPackage;
  try {
    loaded = (await import(packageName)) as BackendPackage;
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String(error).includes(packageName)
    ) {
      throw new Error(`${scheme}: URLs need the ${packageName} package: npm install ${packageName}`, {
        cause: error,
      });
    }
    throw error;
  }
  return loaded.fromUrl(url);
}
