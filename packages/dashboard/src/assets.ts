import { readFileSync } from 'node:fs';

/**
 * The stylesheet and the client script, served from ./assets/. Found from this module's URL as
 * `../src/assets/`, the same folder from src/ (tsx) or a built dist/ (the package ships src/).
 */
const ASSETS_DIR = new URL('../src/assets/', import.meta.url);

const TYPES: Record<string, string> = {
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

const loaded = new Map<string, string>();

/** The asset's text and content type, or null for a name that is not one. */
export function asset(name: string): { body: string; type: string } | null {
  const type = TYPES[name];
  if (type === undefined) return null;
  let body = loaded.get(name);
  if (body === undefined) {
    body = readFileSync(new URL(name, ASSETS_DIR), 'utf8');
    loaded.set(name, body);
  }
  return { body, type };
}
