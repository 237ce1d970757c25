import { connect } from 'node:net';
import { skipOrFailInCi } from './skip.ts';

/**
 * The servers the tests talk to, from the environment with the local defaults.
 * Under CI=true a server that does not answer fails the run; elsewhere its
 * tests are skipped, loudly.
 */
export const POSTGRES_URL = process.env.ERRAND_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.ERRAND_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * For `describe(name, { skip: await skipUnlessReachable(url) }, ...)`: false when
 * the server answers, a reason to skip when it does not (outside CI), and a
 * thrown error under CI.
 */
export async function skipUnlessReachable(url: string): Promise<string | false> {
  const { hostname, port } = new URL(url);
  const reachable = await canConnect(hostname, Number(port));
  if (reachable) return false;
  const reason = `no server answers at ${hostname}:${port} (${url})`;
  return skipOrFailInCi(`tests that need ${url}`, reason, ': start it (see .ci/run)');
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
