/**
 * Informer against the real kube-apiserver: initial list, add/update/delete from the watch, selectors,
 * and recovery from 410 Gone (a watch from a resourceVersion the server no longer has) by relisting —
 * with an object deleted during the gap reported as a delete.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { KubeApi, KubeClient } from '../../../src/k8s/client.js';
import { Informer } from '../../../src/k8s/informer.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { connectKube, createNamespace, deleteNamespace, waitFor } from './kube-env.js';

const log = pino({ level: 'silent' });
let api: KubeClient;
let ns: string;

before(async () => {
  api = await connectKube();
  ns = await createNamespace(api, 'inf');
});
after(async () => deleteNamespace(api, ns));

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) =>
  ({ metadata: { name, namespace: ns, labels }, data }) as KubeObject;

function recorder() {
  const events: string[] = [];
  const errors: unknown[] = [];
  return {
    events,
    errors,
    handlers: {
      onAdd: (o: KubeObject) => events.push(`add:${o.metadata!.name}`),
      onUpdate: (o: KubeObject) => events.push(`update:${o.metadata!.name}`),
      onDelete: (o: KubeObject) => events.push(`delete:${o.metadata!.name}`),
      onError: (e: unknown) => errors.push(e),
    },
  };
}

test('lists, then sees add/update/delete; label selector filters', async () => {
  await api.create(KINDS.configMap, cm('pre', { kk: 'yes' }));
  await api.create(KINDS.configMap, cm('other', { kk: 'no' }));
  const r = recorder();
  const inf = new Informer(
    api,
    KINDS.configMap,
    { namespace: ns, labelSelector: 'kk=yes' },
    r.handlers,
    { log },
  );
  inf.start();
  try {
    await waitFor('sync', () => inf.hasSynced());
    assert.deepEqual(r.events, ['add:pre']);
    await api.create(KINDS.configMap, cm('new', { kk: 'yes' }));
    await waitFor('add:new', () => r.events.includes('add:new'));
    await api.patchMerge(KINDS.configMap, 'new', ns, { data: { a: '1' } });
    await waitFor('update:new', () => r.events.includes('update:new'));
    assert.deepEqual(inf.get(`${ns}/new`)?.data, { a: '1' });
    await api.delete(KINDS.configMap, 'new', ns);
    await waitFor('delete:new', () => r.events.includes('delete:new'));
    assert.equal(inf.get(`${ns}/new`), undefined);
    assert.deepEqual(
      inf.list().map((o) => o.metadata!.name),
      ['pre'],
    );
    assert.ok(!r.events.some((e) => e.endsWith(':other')));
  } finally {
    await inf.stop();
  }
  assert.deepEqual(r.errors, []);
});

test('410 Gone ⇒ relist; an object deleted while disconnected is reported deleted', async () => {
  await api.create(KINDS.configMap, cm('gap-keep', { gap: '1' }));
  await api.create(KINDS.configMap, cm('gap-gone', { gap: '1' }));
  let watches = 0;
  // Interceptor (controller-runtime style): the second watch starts from resourceVersion 1, which the
  // real server no longer has ⇒ 410 (an ERROR event, reason Expired); just before it, an object is deleted behind the informer's back.
  const intercepted: KubeApi = Object.create(api) as KubeApi;
  intercepted.watch = async (kind, opts, onEvent, signal) => {
    watches += 1;
    if (watches === 2) {
      await api.delete(KINDS.configMap, 'gap-gone', ns);
      // push RV 1 out of the API server's watch cache window (100 events per resource by default)
      await api.create(KINDS.configMap, cm('churn'));
      for (let i = 0; i < 110; i++) {
        await api.patchMerge(KINDS.configMap, 'churn', ns, { data: { i: String(i) } });
      }
      return api.watch(kind, { ...opts, resourceVersion: '1' }, onEvent, signal);
    }
    return api.watch(kind, opts, onEvent, signal);
  };
  const r = recorder();
  const inf = new Informer(
    intercepted,
    KINDS.configMap,
    { namespace: ns, labelSelector: 'gap=1' },
    r.handlers,
    {
      log,
      watchTimeoutSeconds: 1, // the server ends the first watch after 1 s ⇒ second watch
    },
  );
  inf.start();
  try {
    await waitFor('sync', () => inf.hasSynced());
    await waitFor('relist after 410', () => inf.listCount >= 2, 20_000);
    await waitFor('delete:gap-gone', () => r.events.includes('delete:gap-gone'));
    assert.deepEqual(
      inf.list().map((o) => o.metadata!.name),
      ['gap-keep'],
    );
    // and the informer keeps watching after the relist
    await api.create(KINDS.configMap, cm('gap-after', { gap: '1' }));
    await waitFor('add:gap-after', () => r.events.includes('add:gap-after'));
  } finally {
    await inf.stop();
  }
  assert.deepEqual(r.errors, [], '410 is handled by relisting, not reported as an error');
});

test('stop() ends the watch without any error callback; restart after an API error uses backoff', async () => {
  const r = recorder();
  let lists = 0;
  const flaky: KubeApi = Object.create(api) as KubeApi;
  flaky.list = ((...args: Parameters<KubeApi['list']>) => {
    lists += 1;
    if (lists === 1) return Promise.reject(new Error('connection reset (injected)'));
    return api.list(...args);
  }) as KubeApi['list'];
  const delays: number[] = [];
  const inf = new Informer(flaky, KINDS.configMap, { namespace: ns }, r.handlers, {
    log,
    backoffBaseMs: 10,
    sleep: async (ms) => void delays.push(ms),
  });
  inf.start();
  await waitFor('sync after a failed list', () => inf.hasSynced());
  await inf.stop();
  assert.equal(r.errors.length, 1);
  assert.deepEqual(delays, [10]);
});
