#!/usr/bin/env node
// The installed `errand` command. It registers tsx's ESM loader first, so the app module a user names
// (`errand worker ./src/tasks.ts`) loads as TypeScript with no build step, then runs the CLI.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();

const built = new URL('../dist/main.js', import.meta.url);
// An installed package runs what was built. In the errand repository (no node_modules in this file's
// real path: workspaces link to it) the sources run, so that a dist/ left by `npm run build` never
// goes stale under a developer's edits.
const installed = import.meta.url.includes('/node_modules/');
if (installed && existsSync(built)) {
  await import(built.href);
} else {
  // Run the CLI's TypeScript sources, and resolve the workspace packages (@errand/core,
  // @errand/sqlite) to theirs through the `errand-source` export condition, as
  // `node --conditions=errand-source` would.
  const addSourceCondition = `export function resolve(specifier, context, nextResolve) {
    const conditions = context.conditions.includes('errand-source') ? context.conditions : [...context.conditions, 'errand-source'];
    return nextResolve(specifier, { ...context, conditions });
  }`;
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`, import.meta.url);
  await import(new URL('../src/main.ts', import.meta.url).href);
}
