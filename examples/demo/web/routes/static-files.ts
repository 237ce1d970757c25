/** The stylesheet and the page script, read once at start from examples/demo/public/. */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { WebEnv } from '../env.ts';

const FILES = {
  'style.css': 'text/css; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
} as const;

export const staticRoutes = new Hono<WebEnv>();

for (const [name, contentType] of Object.entries(FILES)) {
  const body = readFileSync(new URL(`../../public/${name}`, import.meta.url), 'utf8');
  staticRoutes.get(`/static/${name}`, (c) =>
    c.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache' }),
  );
}
