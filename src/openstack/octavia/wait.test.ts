import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  NotFoundError,
  TimeoutError,
  isNotFoundError,
} from '../../common/errors/index.js';
import { NotFound } from '../http/errors.js';
import type { ApiRequest, ApiResponse, ServiceClient } from '../http/types.js';
import { OctaviaClient, ProvisioningError } from './index.js';
import type { WaitClock } from './wait.js';

/** A clock whose sleep advances time instantly and records the delays. */
function fakeClock(): WaitClock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: (ms) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

/** A ServiceClient answering GET of one load balancer with the next status in `statuses` ('gone' = 404). */
function scripted(statuses: string[]): ServiceClient & { requests: ApiRequest[] } {
  const requests: ApiRequest[] = [];
  let i = 0;
  return {
    serviceType: 'load-balancer',
    requests,
    endpoint: () => Promise.resolve('http://octavia'),
    request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
      requests.push(req);
      const status = statuses[Math.min(i++, statuses.length - 1)];
      if (status === 'gone') return Promise.reject(new NotFound('Load Balancer lb1 not found.'));
      const body = {
        loadbalancer: { id: 'lb1', provisioning_status: status, operating_status: 'OFFLINE' },
      };
      return Promise.resolve({ status: 200, body: body as T, headers: {}, requestId: undefined });
    },
  };
}

test('waitActive returns once ACTIVE, with doubling capped backoff', async () => {
  const clock = fakeClock();
  const http = scripted([
    'PENDING_CREATE',
    'PENDING_CREATE',
    'PENDING_UPDATE',
    'PENDING_UPDATE',
    'ACTIVE',
  ]);
  const octavia = new OctaviaClient(http, { clock });
  const lb = await octavia.waitActive('lb1', { initialDelayMs: 100, maxDelayMs: 300 });
  assert.equal(lb.provisioning_status, 'ACTIVE');
  assert.deepEqual(clock.sleeps, [100, 200, 300, 300]);
  assert.equal(http.requests.length, 5);
  assert.equal(http.requests[0]?.path, '/v2/lbaas/loadbalancers/lb1');
});

test('waitActive on ERROR throws a ProvisioningError (a ConflictError) without further polling', async () => {
  const clock = fakeClock();
  const http = scripted(['PENDING_CREATE', 'ERROR', 'ACTIVE']);
  const err = await new OctaviaClient(http, { clock }).waitActive('lb1').catch((e: unknown) => e);
  assert.ok(err instanceof ProvisioningError);
  assert.ok(err instanceof ConflictError);
  assert.match(err.message, /ERROR/);
  assert.equal(err.details?.['provisioningStatus'], 'ERROR');
  assert.equal(http.requests.length, 2);
});

test('waitActive times out with TimeoutError naming the last status', async () => {
  const clock = fakeClock();
  const http = scripted(['PENDING_UPDATE']);
  const err = await new OctaviaClient(http, { clock })
    .waitActive('lb1', { deadlineMs: 2_000, initialDelayMs: 500, maxDelayMs: 500 })
    .catch((e: unknown) => e);
  assert.ok(err instanceof TimeoutError);
  assert.match(err.message, /PENDING_UPDATE/);
  // polls at t=0, 500, 1000, 1500, 2000 (the last one exactly at the deadline)
  assert.equal(http.requests.length, 5);
  assert.equal(clock.now(), 2_000);
});

test('waitActive with the real clock and a tiny deadline also ends in TimeoutError', async () => {
  const http = scripted(['PENDING_CREATE']);
  await assert.rejects(
    new OctaviaClient(http).waitActive('lb1', { deadlineMs: 30, initialDelayMs: 5 }),
    TimeoutError,
  );
});

test('waitActive on a deleted load balancer rejects NotFoundError', async () => {
  await assert.rejects(
    new OctaviaClient(scripted(['gone']), { clock: fakeClock() }).waitActive('lb1'),
    isNotFoundError,
  );
  await assert.rejects(
    new OctaviaClient(scripted(['DELETED']), { clock: fakeClock() }).waitActive('lb1'),
    NotFoundError,
  );
});

test('waitDeleted resolves on 404 and on DELETED, fails on ERROR', async () => {
  const http = scripted(['PENDING_DELETE', 'PENDING_DELETE', 'gone']);
  await new OctaviaClient(http, { clock: fakeClock() }).waitDeleted('lb1');
  assert.equal(http.requests.length, 3);
  await new OctaviaClient(scripted(['DELETED']), { clock: fakeClock() }).waitDeleted('lb1');
  await assert.rejects(
    new OctaviaClient(scripted(['PENDING_DELETE', 'ERROR']), { clock: fakeClock() }).waitDeleted(
      'lb1',
    ),
    ProvisioningError,
  );
});

test('an aborted wait rejects with the abort reason', async () => {
  const ac = new AbortController();
  const http = scripted(['PENDING_CREATE']);
  const p = new OctaviaClient(http).waitActive('lb1', {
    signal: ac.signal,
    initialDelayMs: 10_000,
  });
  setTimeout(() => ac.abort(new Error('stop')), 5);
  await assert.rejects(p, /stop/);
});

test('cascade delete sends ?cascade=true; batch member update PUTs the list', async () => {
  const http = scripted(['ACTIVE']);
  const octavia = new OctaviaClient(http);
  await octavia.loadBalancers.delete('lb1', { cascade: true });
  assert.deepEqual(http.requests[0]?.query, { cascade: true });
  assert.equal(http.requests[0]?.method, 'DELETE');
  await octavia.members.replaceAll('p1', [{ address: '10.0.0.5', protocol_port: 80 }]);
  assert.equal(http.requests[1]?.path, '/v2/lbaas/pools/p1/members');
  assert.deepEqual(http.requests[1]?.body, {
    members: [{ address: '10.0.0.5', protocol_port: 80 }],
  });
});

test('createTagged on Octavia puts the tags in the POST body: one request', async () => {
  const http = scripted(['ACTIVE']);
  const octavia = new OctaviaClient(http);
  await octavia.listeners.createTagged(
    { loadbalancer_id: 'lb1', protocol: 'TCP', protocol_port: 80 },
    ['a', 'b'],
  );
  assert.equal(http.requests.length, 1);
  assert.deepEqual(http.requests[0]?.body, {
    listener: { loadbalancer_id: 'lb1', protocol: 'TCP', protocol_port: 80, tags: ['a', 'b'] },
  });
});
