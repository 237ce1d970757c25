// Who may see the dashboard and who may act through it: the loopback rule without auth, token and
// basic auth, and the CSRF checks on every action.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createDashboard, isLoopbackAddress } from '@errand/dashboard';

import { act, call, csrfTokenOf, dashboardOf, seededApp } from './helpers.ts';

const TOKEN = 'a-token-of-twenty-four-chars';

describe('dashboard access without auth', () => {
  it('serves loopback clients with a loopback Host', async () => {
    const dashboard = dashboardOf((await seededApp()).app);
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.8.9.10']) {
      assert.equal((await call(dashboard, '/errand/', { remoteAddress })).status, 200, remoteAddress);
    }
  });

  it('answers 403 to a client beyond loopback, or one whose address the server did not give', async () => {
    const dashboard = dashboardOf((await seededApp()).app);
    for (const remoteAddress of ['192.0.2.7', '10.0.0.1', '::ffff:192.0.2.7', 'fd00::2', undefined]) {
      const response = await call(dashboard, '/errand/', { remoteAddress });
      assert.equal(response.status, 403, String(remoteAddress));
      assert.match(await response.text(), /Configure auth/);
      assert.equal((await call(dashboard, '/errand/assets/app.js', { remoteAddress })).status, 403);
    }
  });

  it('answers 403 to a loopback client whose Host names another site (DNS rebinding)', async () => {
    const dashboard = dashboardOf((await seededApp()).app);
    const response = await call(dashboard, '/errand/', { headers: { host: 'evil.example:3000' } });
    assert.equal(response.status, 403);
    assert.equal((await call(dashboard, '/errand/', { headers: { host: '127.0.0.1:3000' } })).status, 200);
    assert.equal((await call(dashboard, '/errand/', { headers: { host: '[::1]:3000' } })).status, 200);
  });

  it('isLoopbackAddress knows 127.0.0.0/8 and ::1, plain or IPv4-mapped, and nothing else', () => {
    assert.deepEqual(
      ['127.0.0.1', '127.255.0.1', '::1', '::ffff:127.0.0.1', '128.0.0.1', '::2', '', undefined].map((a) =>
        isLoopbackAddress(a),
      ),
      [true, true, true, true, false, false, false, false],
    );
  });
});

describe('dashboard access with a token', () => {
  it('serves any address with the bearer token, and 401 without it', async () => {
    const dashboard = dashboardOf((await seededApp()).app, { auth: { token: TOKEN } });
    const remoteAddress = '192.0.2.7';
    const host = { host: 'queue.example.com' };
    assert.equal((await call(dashboard, '/errand/', { remoteAddress, headers: host })).status, 401);
    const wrong = { ...host, authorization: 'Bearer not-the-token-at-all-no' };
    assert.equal((await call(dashboard, '/errand/', { remoteAddress, headers: wrong })).status, 401);
    const right = { ...host, authorization: `Bearer ${TOKEN}` };
    assert.equal((await call(dashboard, '/errand/', { remoteAddress, headers: right })).status, 200);
    const anonymous = await call(dashboard, '/errand/', { remoteAddress: undefined, headers: right });
    assert.equal(anonymous.status, 200, 'with auth, the address does not matter');
  });

  it('a ?token= link signs the browser in with a session cookie and drops the token from the URL', async () => {
    const dashboard = dashboardOf((await seededApp()).app, { auth: { token: TOKEN } });
    const response = await call(dashboard, `/errand/jobs?state=failed&token=${TOKEN}`, {
      remoteAddress: '192.0.2.7',
    });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/errand/jobs?state=failed');
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^errand_dashboard=[^;]+; Path=\/errand; HttpOnly; SameSite=Strict/);
    assert.ok(!cookie.includes(TOKEN), 'the cookie is not the token itself');
    const session = cookie.split(';')[0]!;
    const next = await call(dashboard, '/errand/jobs?state=failed', {
      remoteAddress: '192.0.2.7',
      headers: { cookie: session },
    });
    assert.equal(next.status, 200);
    const wrongLink = await call(dashboard, '/errand/?token=guess-guess-guess-guess', {
      remoteAddress: '192.0.2.7',
    });
    assert.equal(wrongLink.status, 401);
    assert.match(await wrongLink.text(), /not the right one/);
  });

  it('with basic auth, the user name and password', async () => {
    const dashboard = dashboardOf((await seededApp()).app, {
      auth: { username: 'ops', password: 'correct horse' },
    });
    const basic = (credentials: string) => ({
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    });
    const unauthorized = await call(dashboard, '/errand/', { remoteAddress: '192.0.2.7' });
    assert.equal(unauthorized.status, 401);
    assert.match(unauthorized.headers.get('www-authenticate') ?? '', /^Basic realm="errand dashboard"/);
    assert.equal(
      (await call(dashboard, '/errand/', { remoteAddress: '192.0.2.7', headers: basic('ops:wrong') })).status,
      401,
    );
    assert.equal(
      (await call(dashboard, '/errand/', { remoteAddress: '192.0.2.7', headers: basic('ops:correct horse') }))
        .status,
      200,
    );
  });

  it('options that would leave it open or weak are refused with a fix', async () => {
    const { app } = await seededApp();
    assert.throws(() => createDashboard({ errand: app, auth: { token: 'short' } }), /at least 16 characters/);
    assert.throws(
      () => createDashboard({ errand: app, auth: { username: 'a:b', password: 'long enough' } }),
      /without ":"/,
    );
    assert.throws(() => createDashboard({ errand: app, basePath: '/errand/' }), /no trailing slash/);
    assert.throws(() => createDashboard({ errand: {} as never }), /createErrand\(\)/);
  });
});

describe('actions and CSRF', () => {
  it('an action with the page token and our Origin runs', async () => {
    const seeded = await seededApp();
    const dashboard = dashboardOf(seeded.app);
    const token = await csrfTokenOf(dashboard);
    const response = await act(dashboard, `/errand/actions/jobs/${seeded.ids.failed}/retry`, token);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      ok: true,
      message: `Job ${seeded.ids.failed} is queued again.`,
    });
    assert.equal((await seeded.app.job(seeded.ids.failed).status())?.state, 'queued');
  });

  it('an action without the token, with a wrong one, or from another Origin is refused and changes nothing', async () => {
    const seeded = await seededApp();
    const dashboard = dashboardOf(seeded.app);
    const token = await csrfTokenOf(dashboard);
    const path = `/errand/actions/jobs/${seeded.ids.failed}/retry`;
    const attempts = [
      call(dashboard, path, { method: 'POST', headers: { origin: 'http://localhost:3000' } }),
      act(dashboard, path, 'x'.repeat(32)),
      act(dashboard, path, token, { origin: 'https://evil.example' }),
      call(dashboard, path, { method: 'POST', headers: { 'x-errand-csrf': token } }),
    ];
    for (const response of await Promise.all(attempts)) assert.equal(response.status, 403);
    assert.equal((await seeded.app.job(seeded.ids.failed).status())?.state, 'failed');
  });

  it('an action is POST only; a page is not', async () => {
    const seeded = await seededApp();
    const dashboard = dashboardOf(seeded.app);
    const get = await call(dashboard, `/errand/actions/jobs/${seeded.ids.failed}/retry`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const token = await csrfTokenOf(dashboard);
    assert.equal((await act(dashboard, '/errand/jobs', token)).status, 405);
    assert.equal((await call(dashboard, '/errand/', { method: 'DELETE' })).status, 405);
    assert.equal((await seeded.app.job(seeded.ids.failed).status())?.state, 'failed');
  });

  it('a shared csrfToken lets a page of one instance act through another', async () => {
    const seeded = await seededApp();
    const csrfToken = 'shared-token-for-every-instance';
    const first = dashboardOf(seeded.app, { csrfToken });
    const second = dashboardOf(seeded.app, { csrfToken });
    assert.equal(await csrfTokenOf(first), csrfToken);
    assert.equal(
      (await act(second, `/errand/actions/jobs/${seeded.ids.failed}/retry`, csrfToken)).status,
      200,
    );
  });
});
