import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { NotReadyError } from '../common/errors/index.js';
import { KINDS } from './kinds.js';
import { LeaderElector, microTime, type Clock } from './lease.js';
import { FakeKube } from './testing/fake-kube.js';

const log = pino({ level: 'silent' });

class FakeClock implements Clock {
  constructor(public t = Date.parse('2026-01-01T00:00:00Z')) {}
  now() {
    return this.t;
  }
  advance(ms: number) {
    this.t += ms;
  }
  async sleep() {}
}

function elector(api: FakeKube, clock: Clock, identity: string, events: string[] = []) {
  return new LeaderElector(api, {
    namespace: 'kk-ns',
    identity,
    clock,
    log,
    leaseDurationSeconds: 15,
    onStartedLeading: () => events.push(`${identity}:start`),
    onStoppedLeading: () => events.push(`${identity}:stop`),
  });
}

const read = (api: FakeKube) => api.get(KINDS.lease, 'kuryr-controller', 'kk-ns');

test('first candidate creates the Lease and leads; MicroTime has 6 digits', async () => {
  const api = new FakeKube();
  const clock = new FakeClock();
  const a = elector(api, clock, 'a');
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(a.isLeader(), true);
  const lease = await read(api);
  assert.equal(lease.spec?.holderIdentity, 'a');
  assert.equal(lease.spec?.renewTime, '2026-01-01T00:00:00.000000Z');
  assert.equal(lease.spec?.leaseDurationSeconds, 15);
  assert.equal(microTime(Date.parse('2026-01-01T00:00:01.234Z')), '2026-01-01T00:00:01.234000Z');
});

test('second candidate waits while the holder renews, takes over after renewTime + duration', async () => {
  const api = new FakeKube();
  const clock = new FakeClock();
  const events: string[] = [];
  const a = elector(api, clock, 'a', events);
  const b = elector(api, clock, 'b', events);
  await a.tryAcquireOrRenew();
  for (let i = 0; i < 5; i++) {
    clock.advance(10_000);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
  }
  // a stops renewing: b must wait the full lease duration
  clock.advance(14_999);
  assert.equal(await b.tryAcquireOrRenew(), false);
  clock.advance(2);
  assert.equal(await b.tryAcquireOrRenew(), true);
  const lease = await read(api);
  assert.equal(lease.spec?.holderIdentity, 'b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  // a comes back: sees b's fresh lease and steps down
  assert.equal(await a.tryAcquireOrRenew(), false);
  assert.equal(a.isLeader(), false);
  assert.deepEqual(events, ['a:start', 'b:start', 'a:stop']);
});

test('renewTime read back as a string is honoured (no takeover of a fresh lease)', async () => {
  const api = new FakeKube();
  const clock = new FakeClock();
  api.seed(KINDS.lease, {
    metadata: { name: 'kuryr-controller', namespace: 'kk-ns' },
    spec: {
      holderIdentity: 'other',
      leaseDurationSeconds: 15,
      renewTime: microTime(clock.now() - 5000),
    },
  });
  const b = elector(api, clock, 'b');
  assert.equal(await b.tryAcquireOrRenew(), false);
  clock.advance(10_001);
  assert.equal(await b.tryAcquireOrRenew(), true);
});

test('a lost race (409 on a stale resourceVersion) means not leader', async () => {
  const api = new FakeKube();
  const clock = new FakeClock();
  api.seed(KINDS.lease, {
    metadata: { name: 'kuryr-controller', namespace: 'kk-ns' },
    spec: { holderIdentity: '', leaseDurationSeconds: 15 },
  });
  const a = elector(api, clock, 'a');
  // someone else writes between our GET and our PUT
  const origGet = api.get.bind(api);
  api.get = (async (...args: Parameters<FakeKube['get']>) => {
    const obj = await origGet(...args);
    api.touch(KINDS.lease, 'kuryr-controller', 'kk-ns');
    return obj;
  }) as FakeKube['get'];
  assert.equal(await a.tryAcquireOrRenew(), false);
  assert.equal(a.isLeader(), false);
});

test('release empties the holder so a standby takes over at once', async () => {
  const api = new FakeKube();
  const clock = new FakeClock();
  const a = elector(api, clock, 'a');
  const b = elector(api, clock, 'b');
  await a.tryAcquireOrRenew();
  await a.release();
  assert.equal(a.isLeader(), false);
  assert.equal((await read(api)).spec?.holderIdentity, null);
  assert.equal(await b.tryAcquireOrRenew(), true);
  assert.equal((await read(api)).spec?.leaseTransitions, 0);
});

test('run(): a leader that cannot renew within renewDeadline steps down', async () => {
  const api = new FakeKube();
  const clock = new FakeClock();
  const events: string[] = [];
  const ac = new AbortController();
  let steps = 0;
  const sleeper: Clock = {
    now: () => clock.now(),
    sleep: async () => {
      clock.advance(2000);
      steps += 1;
      if (steps === 1)
        for (let i = 0; i < 10; i++) api.failNext('get', new NotReadyError('apiserver down'));
      if (steps === 8) ac.abort();
    },
  };
  const a = new LeaderElector(api, {
    namespace: 'kk-ns',
    identity: 'a',
    clock: sleeper,
    log,
    renewDeadlineMs: 10_000,
    onStartedLeading: () => events.push('start'),
    onStoppedLeading: () => events.push('stop'),
  });
  await a.run(ac.signal);
  assert.deepEqual(events, ['start', 'stop']);
  assert.equal(a.isLeader(), false);
});

test('a hung renew is cut off at the renew deadline: the leader steps down while the call hangs', async () => {
  const api = new FakeKube();
  let hang = false;
  // replace() never answers while `hang` (an API server that accepts the connection, then stalls)
  const stalling = new Proxy(api, {
    get(target, prop, receiver) {
      if (prop === 'replace' && hang) {
        return (_k: unknown, _o: unknown, o?: { signal?: AbortSignal }) =>
          new Promise((_, reject) =>
            o?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
          );
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  const events: string[] = [];
  const e = new LeaderElector(stalling, {
    namespace: 'kk-ns',
    identity: 'a',
    log,
    renewDeadlineMs: 60,
    retryPeriodMs: 5,
    onStartedLeading: () => {
      events.push('start');
      hang = true;
    },
    onStoppedLeading: () => events.push('stop'),
  });
  const stop = new AbortController();
  const run = e.run(stop.signal);
  for (let i = 0; i < 200 && !events.includes('stop'); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  stop.abort();
  await run;
  assert.deepEqual(events.slice(0, 2), ['start', 'stop']);
});
