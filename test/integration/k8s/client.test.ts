/**
 * KubeClient against the real kube-apiserver: each failure arrives as the right error category
 * (404, 409 AlreadyExists / stale, 422, 403 on a terminating namespace, deadline, unreachable server).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  isConflictError,
  isNotFoundError,
  isNotReadyError,
  isTimeoutError,
  isValidationError,
} from '../../../src/common/errors/index.js';
import { isStaleConflict } from '../../../src/k8s/api-errors.js';
import { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { kubeConfigFromOptions } from '../../../src/k8s/kube-config.js';
import { connectKube, createNamespace, deleteNamespace, podManifest, waitFor } from './kube-env.js';

let api: KubeClient;
let ns: string;

before(async () => {
  api = await connectKube();
  ns = await createNamespace(api, 'cli');
});
after(async () => deleteNamespace(api, ns));

test('404, 409 AlreadyExists, stale 409, 422 map to NotFound/Conflict/Validation', async () => {
  await assert.rejects(api.get(KINDS.pod, 'nope', ns), isNotFoundError);
  const cm = await api.create(KINDS.configMap, {
    metadata: { name: 'c', namespace: ns },
    data: { a: '1' },
  });
  await assert.rejects(
    api.create(KINDS.configMap, { metadata: { name: 'c', namespace: ns } }),
    (e) => isConflictError(e) && !isStaleConflict(e),
  );
  await api.patchMerge(KINDS.configMap, 'c', ns, { data: { a: '2' } });
  await assert.rejects(api.replace(KINDS.configMap, { ...cm, data: { a: '3' } }), isStaleConflict);
  await assert.rejects(
    api.create(KINDS.pod, {
      metadata: { name: 'Bad_Name', namespace: ns },
      spec: { containers: [] },
    }),
    isValidationError,
  );
  assert.deepEqual((await api.get(KINDS.configMap, 'c', ns)).data, { a: '2' });
  await api.delete(KINDS.configMap, 'c', ns);
  await assert.rejects(api.delete(KINDS.configMap, 'c', ns), isNotFoundError);
});

test('create in a terminating namespace ⇒ ConflictError (403 "being terminated")', async () => {
  const doomed = await createNamespace(api, 'term');
  // a finalizer on an object inside keeps the namespace Terminating even with a namespace controller
  await api.create(KINDS.configMap, {
    metadata: { name: 'hold', namespace: doomed, finalizers: ['kk.test/hold'] },
  });
  await api.delete(KINDS.namespace, doomed);
  await waitFor(
    'namespace terminating',
    async () => (await api.get(KINDS.namespace, doomed)).metadata?.deletionTimestamp,
  );
  await assert.rejects(
    api.create(KINDS.pod, podManifest(doomed, 'late')),
    (e: Error) => isConflictError(e) && /being terminated/.test(e.message),
  );
  await deleteNamespace(api, doomed);
});

test('deadline ⇒ TimeoutError; unreachable server ⇒ NotReadyError', async () => {
  await assert.rejects(api.list(KINDS.namespace, {}, { timeoutMs: 1 }), isTimeoutError);
  const dead = new KubeClient(kubeConfigFromOptions({ apiRoot: 'https://127.0.0.1:1' }), {
    timeoutMs: 5000,
  });
  await assert.rejects(
    dead.list(KINDS.namespace),
    (e: Error) => isNotReadyError(e) && /unreachable/.test(e.message),
  );
});
