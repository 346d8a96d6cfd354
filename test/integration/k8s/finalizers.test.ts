/**
 * Finalizer helpers on real pods: add/remove report changes, keep foreign finalizers, survive a stale
 * copy (409 → re-read), hold deletion until removed, and treat a gone object as done.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isConflictError, isNotFoundError } from '../../../src/common/errors/index.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { FINALIZER_POD } from '../../../src/k8s/constants.js';
import { addFinalizer, removeFinalizer } from '../../../src/k8s/finalizers.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { connectKube, createNamespace, deleteNamespace, podManifest } from './kube-env.js';

let api: KubeClient;
let ns: string;

before(async () => {
  api = await connectKube();
  ns = await createNamespace(api, 'fin');
});
after(async () => deleteNamespace(api, ns));

test('add/remove report changes and keep foreign finalizers', async () => {
  const pod = await api.create(KINDS.pod, {
    ...podManifest(ns, 'p1'),
    metadata: { name: 'p1', namespace: ns, finalizers: ['example.com/other'] },
  });
  const added = await addFinalizer(api, KINDS.pod, pod, FINALIZER_POD);
  assert.equal(added.changed, true);
  assert.equal((await addFinalizer(api, KINDS.pod, added.object!, FINALIZER_POD)).changed, false);
  assert.deepEqual((await api.get(KINDS.pod, 'p1', ns)).metadata?.finalizers, [
    'example.com/other',
    FINALIZER_POD,
  ]);
  const removed = await removeFinalizer(api, KINDS.pod, added.object!, FINALIZER_POD);
  assert.equal(removed.changed, true);
  assert.deepEqual((await api.get(KINDS.pod, 'p1', ns)).metadata?.finalizers, [
    'example.com/other',
  ]);
  await api.patchJson(KINDS.pod, 'p1', ns, [{ op: 'remove', path: '/metadata/finalizers' }]);
});

test('a stale copy gets 409 from the server, is re-read, and nothing is lost', async () => {
  const stale = await api.create(KINDS.pod, podManifest(ns, 'p2'));
  // a concurrent writer adds its own finalizer after we read
  await api.patchMerge(KINDS.pod, 'p2', ns, { metadata: { finalizers: ['example.com/racer'] } });
  const r = await addFinalizer(api, KINDS.pod, stale, FINALIZER_POD);
  assert.equal(r.changed, true);
  assert.deepEqual((await api.get(KINDS.pod, 'p2', ns)).metadata?.finalizers, [
    'example.com/racer',
    FINALIZER_POD,
  ]);
  // the raw guarded patch with the stale resourceVersion is refused by the server
  await assert.rejects(
    api.patchJson(KINDS.pod, 'p2', ns, [
      { op: 'replace', path: '/metadata/resourceVersion', value: stale.metadata!.resourceVersion },
      { op: 'replace', path: '/metadata/finalizers', value: [] },
    ]),
    isConflictError,
  );
  await api.patchMerge(KINDS.pod, 'p2', ns, { metadata: { finalizers: null } });
});

test('deletion waits for our finalizer; removing it lets the object go; removing again is a no-op', async () => {
  const pod = await api.create(KINDS.pod, podManifest(ns, 'p3'));
  const { object } = await addFinalizer(api, KINDS.pod, pod, FINALIZER_POD);
  await api.delete(KINDS.pod, 'p3', ns, { gracePeriodSeconds: 0 });
  const deleting = await api.get(KINDS.pod, 'p3', ns);
  assert.ok(deleting.metadata?.deletionTimestamp, 'held by the finalizer');
  await assert.rejects(
    addFinalizer(
      api,
      KINDS.pod,
      { ...deleting, metadata: { ...deleting.metadata, finalizers: [FINALIZER_POD] } },
      'example.com/late',
    ),
    (e: Error) => isConflictError(e) || /forbidden|being deleted/i.test(e.message),
  );
  const r = await removeFinalizer(api, KINDS.pod, object!, FINALIZER_POD); // stale copy on purpose
  assert.equal(r.changed, true);
  await assert.rejects(api.get(KINDS.pod, 'p3', ns), isNotFoundError);
  assert.deepEqual(await removeFinalizer(api, KINDS.pod, object!, FINALIZER_POD), {
    changed: false,
    object: undefined,
  });
});
