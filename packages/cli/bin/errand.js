#!/usr/bin/env node
// The installed `errand` command. It registers tsx's ESM loader first, so the app module a user names
// (`errand worker ./src/tasks.ts`) loads as TypeScript with no build step, then runs the CLI.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  // In the errand repository nothing is built: run the CLI's TypeScript sources, and resolve the
  // workspace packages (@errand/core, @errand/sqlite) to theirs through the `errand-source` export
  // condition, as `node --conditions=errand-source` would.
  const addSourceCondition = `export function resolve(specifier, context, nextResolve) {
    const conditions = context.conditions.includes('errand-source') ? context.conditions : [...context.conditions, 'errand-source'];
    return nextResolve(specifier, { ...context, conditions });
  }`;
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`, import.meta.url);
  await import(new URL('../src/main.ts', import.meta.url).href);
}
