import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConflictError, isNotFoundError, NotReadyError } from '../common/errors/index.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from './finalizers.js';
import { KINDS } from './kinds.js';
import { FakeKube } from './testing/fake-kube.js';

const F = 'kuryr.openstack.org/pod-finalizer';

function setup(finalizers?: string[]) {
  const api = new FakeKube();
  const pod = api.seed(KINDS.pod, {
    metadata: { name: 'p', namespace: 'kk-ns', ...(finalizers ? { finalizers } : {}) },
  });
  return { api, pod };
}

test('add: patches once, reports changed; second add is a no-op without an API call', async () => {
  const { api, pod } = setup();
  const r1 = await addFinalizer(api, KINDS.pod, pod, F);
  assert.equal(r1.changed, true);
  assert.deepEqual(r1.object?.metadata?.finalizers, [F]);
  const calls = api.calls.length;
  const r2 = await addFinalizer(api, KINDS.pod, r1.object, F);
  assert.equal(r2.changed, false);
  assert.equal(api.calls.length, calls);
});

test('add keeps other finalizers; remove takes out only ours', async () => {
  const { api, pod } = setup(['other/x']);
  const added = await addFinalizer(api, KINDS.pod, pod, F);
  assert.deepEqual(added.object?.metadata?.finalizers, ['other/x', F]);
  const removed = await removeFinalizer(api, KINDS.pod, added.object, F);
  assert.equal(removed.changed, true);
  assert.deepEqual(removed.object?.metadata?.finalizers, ['other/x']);
  assert.equal(hasFinalizer(removed.object, F), false);
});

test('the patch is guarded by resourceVersion: a stale copy re-reads and retries', async () => {
  const { api, pod } = setup(['other/x']);
  api.touch(KINDS.pod, 'p', 'kk-ns'); // a concurrent writer
  const r = await addFinalizer(api, KINDS.pod, pod, F);
  assert.equal(r.changed, true);
  assert.deepEqual(r.object?.metadata?.finalizers, ['other/x', F]);
  assert.deepEqual(
    api.calls.map((c) => c.method),
    ['patchJson', 'get', 'patchJson'],
  );
});

test('stale copy whose fresh state already has the finalizer: no second patch', async () => {
  const { api, pod } = setup();
  await addFinalizer(api, KINDS.pod, pod, F); // someone (us, earlier) already added it
  api.calls.length = 0;
  const r = await addFinalizer(api, KINDS.pod, pod, F);
  assert.equal(r.changed, false);
  assert.deepEqual(
    api.calls.map((c) => c.method),
    ['patchJson', 'get'],
  );
});

test('remove on a gone object is success (changed=false); add on a gone object is NotFound', async () => {
  const { api, pod } = setup([F]);
  await api.delete(KINDS.pod, 'p', 'kk-ns');
  assert.deepEqual(await removeFinalizer(api, KINDS.pod, pod, F), {
    changed: false,
    object: undefined,
  });
  const without = { ...pod, metadata: { ...pod.metadata, finalizers: [] } };
  await assert.rejects(addFinalizer(api, KINDS.pod, without, F), isNotFoundError);
});

test('an object that keeps changing ends in ConflictError; API failures propagate', async () => {
  const { api, pod } = setup();
  const origGet = api.get.bind(api);
  api.get = (async (...a: Parameters<FakeKube['get']>) => {
    const o = await origGet(...a);
    api.touch(KINDS.pod, 'p', 'kk-ns');
    return o;
  }) as FakeKube['get'];
  api.touch(KINDS.pod, 'p', 'kk-ns');
  await assert.rejects(addFinalizer(api, KINDS.pod, pod, F), isConflictError);
  const s = setup();
  s.api.failNext('patchJson', new NotReadyError('apiserver 503'));
  await assert.rejects(addFinalizer(s.api, KINDS.pod, s.pod, F), /503/);
});
