import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { NotReadyError, ValidationError } from '../../common/errors/index.js';
import { EventRecorder } from '../../k8s/events.js';
import { hasFinalizer } from '../../k8s/finalizers.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { Dispatcher, EVENT_REASON_HANDLER_FAILED, scopedWatch } from './dispatcher.js';
import type { QueueTimers } from './keyed-queue.js';
import { RetryPolicy } from './retry-policy.js';
import type { ResourceHandler } from './types.js';

const log = pino({ level: 'silent' });
const F = 'kk.test/finalizer';

/** Timers fired by hand: a fake clock for requeue delays. */
function fakeTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: QueueTimers = {
    setTimeout: (fn, ms) => {
      const t = { fn, ms };
      pending.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = pending.indexOf(h as { fn: () => void; ms: number });
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return { timers, pending, fireAll: () => pending.splice(0).forEach((t) => t.fn()) };
}

async function settle(d: Dispatcher) {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
    await d.idle();
  }
}

function setup(handler: ResourceHandler, pods: string[]) {
  const api = new FakeKube();
  for (const name of pods) api.seed(KINDS.pod, { metadata: { name, namespace: 'kk-ns' } });
  const t = fakeTimers();
  const d = new Dispatcher({
    api,
    handlers: [handler],
    events: new EventRecorder(api, { log }),
    log,
    retry: new RetryPolicy({ baseMs: 100, random: () => 1 }),
    reconcilePeriodMs: 0,
    timers: t.timers,
  });
  return { api, d, t };
}

test('finalizer is stored before onPresent; NotReady requeues with backoff delays; success clears', async () => {
  const seen: string[] = [];
  const ref: { api?: FakeKube } = {};
  const handler: ResourceHandler = {
    alias: 'kk',
    kind: KINDS.pod,
    finalizer: F,
    async onPresent(pod) {
      const live = await ref.api!.get(KINDS.pod, pod.metadata!.name!, 'kk-ns');
      seen.push(`present:${hasFinalizer(live, F)}`);
      if (seen.length <= 2) throw new NotReadyError('not yet');
    },
  };
  const s = setup(handler, ['p']);
  ref.api = s.api;
  s.d.start();
  await settle(s.d);
  assert.deepEqual(seen, ['present:true']);
  assert.deepEqual(
    s.t.pending.map((p) => p.ms),
    [100],
  );
  s.t.fireAll();
  await settle(s.d);
  assert.deepEqual(
    s.t.pending.map((p) => p.ms),
    [200],
  );
  s.t.fireAll();
  await settle(s.d);
  assert.deepEqual(seen, ['present:true', 'present:true', 'present:true']);
  assert.equal(s.t.pending.length, 0);
  assert.equal(s.d.terminal.size, 0);
  await s.d.stop();
});

test('terminal error: no requeue, one Warning Event on the object', async () => {
  const handler: ResourceHandler = {
    alias: 'kk',
    kind: KINDS.pod,
    onPresent: async () => {
      throw new ValidationError('bad annotation: fix the pod');
    },
  };
  const s = setup(handler, ['bad']);
  s.d.start();
  await settle(s.d);
  assert.equal(s.t.pending.length, 0);
  const events = (await s.api.list(KINDS.event, { namespace: 'kk-ns' })).items as (KubeObject & {
    type: string;
    reason: string;
    message: string;
    involvedObject: { kind: string; name: string };
  })[];
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'Warning');
  assert.equal(events[0]!.reason, EVENT_REASON_HANDLER_FAILED);
  assert.deepEqual(
    [events[0]!.involvedObject.kind, events[0]!.involvedObject.name],
    ['Pod', 'bad'],
  );
  assert.match(events[0]!.message, /fix the pod/);
  assert.ok(s.d.terminal.has('pods.core|kk-ns/bad'));
  await s.d.stop();
});

test('deleting object: onFinalize then finalizer removed; requeueAfter keeps the finalizer', async () => {
  const calls: string[] = [];
  let more = true;
  const handler: ResourceHandler = {
    alias: 'kk',
    kind: KINDS.pod,
    finalizer: F,
    onPresent: async () => void calls.push('present'),
    async onFinalize() {
      calls.push('finalize');
      if (more) {
        more = false;
        return { requeueAfterMs: 5000 };
      }
    },
  };
  const api = new FakeKube();
  api.seed(KINDS.pod, {
    metadata: {
      name: 'p',
      namespace: 'kk-ns',
      finalizers: [F],
      deletionTimestamp: '2026-01-01T00:00:00Z',
    },
  });
  const t = fakeTimers();
  const d = new Dispatcher({
    api,
    handlers: [handler],
    events: new EventRecorder(api, { log }),
    log,
    reconcilePeriodMs: 0,
    timers: t.timers,
  });
  d.start();
  await settle(d);
  assert.deepEqual(calls, ['finalize']);
  assert.ok(hasFinalizer(await api.get(KINDS.pod, 'p', 'kk-ns'), F));
  assert.deepEqual(
    t.pending.map((p) => p.ms),
    [5000],
  );
  t.fireAll();
  await settle(d);
  assert.deepEqual(calls, ['finalize', 'finalize']);
  assert.equal(hasFinalizer(await api.get(KINDS.pod, 'p', 'kk-ns'), F), false);
  await d.stop();
});

test('unexpected errors past the budget: terminal, Warning Event, and the key is marked exhausted', async () => {
  let runs = 0;
  const handler: ResourceHandler = {
    alias: 'kk',
    kind: KINDS.pod,
    onPresent: async () => {
      runs += 1;
      throw new TypeError('bug');
    },
  };
  const api = new FakeKube();
  api.seed(KINDS.pod, { metadata: { name: 'p', namespace: 'kk-ns' } });
  const t = fakeTimers();
  const d = new Dispatcher({
    api,
    handlers: [handler],
    events: new EventRecorder(api, { log }),
    log,
    retry: new RetryPolicy({ baseMs: 100, budgetMs: 250, random: () => 1 }),
    reconcilePeriodMs: 0,
    timers: t.timers,
  });
  d.start();
  await settle(d);
  while (t.pending.length > 0) {
    t.fireAll();
    await settle(d);
  }
  assert.equal(runs, 3); // 100 + 200 ms of backoff spent ≥ 250 ms budget
  assert.ok(d.exhausted.has('pods.core|kk-ns/p'));
  assert.equal((await api.list(KINDS.event, { namespace: 'kk-ns' })).items.length, 1);
  await d.stop();
});

test('watchNamespace: namespaced kinds and the Namespace object narrowed, nodes untouched', () => {
  assert.deepEqual(scopedWatch(KINDS.pod, {}, undefined), {});
  assert.deepEqual(scopedWatch(KINDS.pod, { labelSelector: 'a=b' }, 'ns1'), {
    labelSelector: 'a=b',
    namespace: 'ns1',
  });
  assert.deepEqual(scopedWatch(KINDS.kuryrPort, {}, 'ns1'), { namespace: 'ns1' });
  assert.deepEqual(scopedWatch(KINDS.namespace, {}, 'ns1'), { fieldSelector: 'metadata.name=ns1' });
  assert.deepEqual(scopedWatch(KINDS.namespace, { fieldSelector: 'x=y' }, 'ns1'), {
    fieldSelector: 'x=y,metadata.name=ns1',
  });
  assert.deepEqual(scopedWatch(KINDS.node, {}, 'ns1'), {});
});
