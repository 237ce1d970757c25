// `errand dashboard`: serves the dashboard on loopback, and beyond it only with auth.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { errand, spawnErrand, tempStore, watch } from './helpers.ts';

const store = tempStore();
after(() => store.remove());

/** Starts the command and waits for the URL it prints. */
async function started(args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawnErrand(['dashboard', '--port', '0', ...args], { ERRAND_URL: store.url, ...env });
  const output = watch(child);
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (url === undefined) {
    url = /errand dashboard on (http:\/\/\S+?)\/ /.exec(output.stdout())?.[1];
    if (url !== undefined) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`errand dashboard did not start:\n${output.stdout()}\n${output.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output, url };
}

describe('errand dashboard', { timeout: 60_000 }, () => {
  it('serves the dashboard on 127.0.0.1 and stops on SIGTERM', async () => {
    const { child, output, url } = await started([]);
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>Queues · errand<\/title>/);
      child.kill('SIGTERM');
      const result = await output.exited;
      assert.equal(result.code, 0, result.stderr);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a host beyond loopback without auth, saying how to set it', async () => {
    const result = await errand(['dashboard', '--host', '0.0.0.0', '--port', '0'], { ERRAND_URL: store.url });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /refusing to serve the dashboard on 0\.0\.0\.0 without auth.*ERRAND_DASHBOARD_TOKEN/,
    );
  });

  it('with ERRAND_DASHBOARD_TOKEN it listens beyond loopback and asks for the token', async () => {
    const token = 'cli-dashboard-token-0123456789';
    const { child, output, url } = await started(['--host', '0.0.0.0'], { ERRAND_DASHBOARD_TOKEN: token });
    try {
      const local = url.replace('0.0.0.0', '127.0.0.1');
      assert.match(output.stdout(), /sign in with the token in ERRAND_DASHBOARD_TOKEN/);
      assert.ok(!output.stdout().includes(token), 'the token is not printed');
      assert.equal((await fetch(`${local}/`)).status, 401);
      assert.equal((await fetch(`${local}/`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      child.kill('SIGTERM');
      assert.equal((await output.exited).code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
