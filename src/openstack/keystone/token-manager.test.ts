import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from 'undici';
import { isAuthError } from '../../common/errors/index.js';
import { Unauthorized } from '../http/errors.js';
import { HttpTransport } from '../http/transport.js';
import { startFakeKeystone, type FakeKeystone } from './test-keystone.js';
import { KeystoneTokenManager } from './token-manager.js';

const silent = pino({ level: 'silent' });
const agent = new Agent();
const fakes: FakeKeystone[] = [];
after(async () => {
  for (const f of fakes) await f.close();
  await agent.close();
});

async function setup(now: () => number = Date.now, renewBeforeMs?: number) {
  const ks = await startFakeKeystone();
  fakes.push(ks);
  const transport = new HttpTransport(
    { dispatcher: agent, retries: { attempts: 2, baseDelayMs: 1 } },
    silent,
  );
  const tm = new KeystoneTokenManager(
    {
      auth: {
        type: 'password',
        authUrl: `${ks.url}/v3`,
        username: 'kuryr',
        password: 'S3CRET-pw',
        userDomainName: 'Default',
        projectName: 'service',
        projectDomainName: 'Default',
      },
      transport,
      requestTimeoutMs: 5000,
      renewBeforeMs,
      now,
    },
    silent,
  );
  return { ks, tm };
}

test('concurrent callers share one in-flight authentication', async () => {
  const { ks, tm } = await setup();
  const tokens = await Promise.all(Array.from({ length: 20 }, () => tm.getToken()));
  assert.equal(ks.authRequests(), 1);
  assert.deepEqual(new Set(tokens), new Set(['tok-1']));
  const body = ks.requests[0]?.body as { auth: { scope: unknown } };
  assert.deepEqual(body.auth.scope, { project: { name: 'service', domain: { name: 'Default' } } });
});

test('token info carries scope, roles and catalog', async () => {
  const { tm } = await setup();
  const info = await tm.tokenInfo();
  assert.equal(info.project?.name, 'service');
  assert.equal(info.system, false);
  assert.deepEqual(info.roles, ['admin']);
  assert.equal(info.catalog.length, 2);
});

test('renewal before expiry follows the (fake) clock', async () => {
  let clock = Date.now();
  const { ks, tm } = await setup(() => clock);
  ks.lifetimeMs = 3_600_000;
  assert.equal(await tm.getToken(), 'tok-1');
  clock += 3_600_000 - 300_001; // just over 5 minutes left: keep
  assert.equal(await tm.getToken(), 'tok-1');
  clock += 2; // under 5 minutes left: renew
  assert.equal(await tm.getToken(), 'tok-2');
  assert.equal(ks.authRequests(), 2);
});

test('a configured renewal margin is honoured', async () => {
  let clock = Date.now();
  const { tm } = await setup(() => clock, 1_200_000);
  await tm.getToken();
  clock += 3_600_000 - 1_200_001;
  assert.equal(await tm.getToken(), 'tok-1');
  clock += 2;
  assert.equal(await tm.getToken(), 'tok-2');
});

test('a failed early renewal keeps the current token until it really expires', async () => {
  let clock = Date.now();
  const { ks, tm } = await setup(() => clock);
  assert.equal(await tm.getToken(), 'tok-1');
  ks.reject = true;
  clock += 3_600_000 - 60_000; // inside the renewal window, not expired
  assert.equal(await tm.getToken(), 'tok-1');
  assert.equal(ks.authRequests(), 2, 'renewal was attempted');
  clock += 60_000; // expired now
  await assert.rejects(tm.getToken(), Unauthorized);
  ks.reject = false;
  assert.equal(await tm.getToken(), 'tok-2');
});

test('invalidate forces a new authentication', async () => {
  const { ks, tm } = await setup();
  const t = await tm.getToken();
  tm.invalidate('not-the-current-one');
  assert.equal(await tm.getToken(), t);
  tm.invalidate(t);
  assert.equal(await tm.getToken(), 'tok-2');
  assert.equal(ks.authRequests(), 2);
});

test('rejected credentials: Unauthorized naming the user, never the password', async () => {
  const { ks, tm } = await setup();
  ks.reject = true;
  await assert.rejects(tm.getToken(), (e: unknown) => {
    assert.ok(e instanceof Unauthorized);
    assert.ok(isAuthError(e));
    assert.match(e.message, /rejected user 'kuryr'/);
    assert.match(e.message, /requires authentication/);
    assert.doesNotMatch(e.message, /S3CRET/);
    return true;
  });
  assert.equal(ks.authRequests(), 1, 'a 401 is not retried');
});

test('a caller that aborts stops waiting; the shared auth goes on for others', async () => {
  const { tm } = await setup();
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  await assert.rejects(tm.getToken(ac.signal), /stop/);
  assert.equal(await tm.getToken(), 'tok-1');
});
