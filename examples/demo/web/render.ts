/**
 * Sends a page: the layout around the content, with a Content-Security-Policy that allows only the
 * demo's own stylesheet and script, so even a mistake in escaping could not run injected code.
 */
import type { Context } from 'hono';
import type { WebEnv } from './env.ts';
import { layout, type Html, type PageFrame } from './pages/layout.ts';

const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'";

export async function renderPage(
  c: Context<WebEnv>,
  frame: Omit<PageFrame, 'store'>,
  content: Html,
  status: 200 | 404 | 422 = 200,
): Promise<Response> {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(layout({ ...frame, store: c.get('store') }, content), status);
}

/** Where jobs live, for the footer: the URL with any password replaced. */
export function describeStore(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
