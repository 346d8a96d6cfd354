import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINALIZER_KURYRLOADBALANCER, FINALIZER_SERVICE } from '../../k8s/constants.js';
import { EventRecorder } from '../../k8s/events.js';
import { KINDS, type ResourceKind } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { apiError } from '../../k8s/api-errors.js';
import { DefaultProjectDriver } from '../drivers/project/default.js';
import { DefaultSecurityGroupsDriver } from '../drivers/security-groups/default.js';
import { silentLog } from '../drivers/testing/fake-cloud.js';
import { KlbSpecWriter } from '../lbaas/spec/klb-writer.js';
import type { HandlerContext } from '../pipeline/types.js';
import { EndpointsHandler } from './endpoints.js';
import { ServiceHandler } from './service.js';

/** FakeKube whose delete honours finalizers like the API server (deletionTimestamp, then gone). */
class FinalizingKube extends FakeKube {
  override async delete(k: ResourceKind, name: string, ns?: string): Promise<void> {
    const obj = await this.get(k, name, ns);
    if (obj.metadata?.finalizers?.length) {
      await this.patchMerge(k, name, ns, { metadata: { deletionTimestamp: 'now' } });
    } else await super.delete(k, name, ns);
  }
}

function setup() {
  const kube = new FinalizingKube();
  const writer = new KlbSpecWriter({
    project: new DefaultProjectDriver('proj'),
    securityGroups: new DefaultSecurityGroupsDriver(['sg1']),
    subnetId: 'svc-subnet',
    provider: 'amphora',
    timeoutClientData: 0,
    timeoutMemberData: 0,
  });
  const ctx: HandlerContext = {
    api: kube,
    events: new EventRecorder(kube, { log: silentLog, enabled: false }),
    log: silentLog,
    signal: new AbortController().signal,
  };
  return { kube, ctx, svcH: new ServiceHandler(writer), epH: new EndpointsHandler(writer) };
}

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({
  metadata: { name, namespace: 'ns' },
  spec: {
    clusterIP: '10.0.0.10',
    ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    ...spec,
  },
});

const endpoints = (name: string, ips: string[], labels?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: 'ns', ...(labels ? { labels } : {}) },
  subsets: ips.length
    ? [
        {
          addresses: ips.map((ip) => ({ ip })),
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ]
    : [],
});

const ips = (klb: { spec: { endpointSlices?: { endpoints?: { addresses?: string[] }[] }[] } }) =>
  (klb.spec.endpointSlices ?? []).flatMap((s) =>
    (s.endpoints ?? []).flatMap((e) => e.addresses ?? []),
  );

test('service → KLB (spec, ownerRef, live endpoints), Service finalizer first, no KLB finalizer', async () => {
  const { kube, ctx, svcH } = setup();
  const svc = kube.seed(
    KINDS.service,
    service('web', { type: 'LoadBalancer', loadBalancerIP: '172.24.4.9' }),
  );
  kube.seed(KINDS.endpoints, endpoints('web', ['10.1.0.2']));
  assert.deepEqual(await svcH.onPresent(svc, ctx), {});
  const klb = await kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns');
  assert.deepEqual(klb.metadata?.ownerReferences, [
    { apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata?.uid },
  ]);
  assert.equal(klb.metadata?.finalizers, undefined);
  assert.equal(klb.spec.ip, '10.0.0.10');
  assert.equal(klb.spec.lb_ip, '172.24.4.9');
  assert.equal(klb.spec.type, 'LoadBalancer');
  assert.deepEqual(klb.spec.ports, [
    { name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' },
  ]);
  assert.deepEqual(ips(klb), ['10.1.0.2']);
  const live = await kube.get(KINDS.service, 'web', 'ns');
  assert.deepEqual(live.metadata?.finalizers, [FINALIZER_SERVICE]);
  const calls = kube.calls.map((c) => `${c.method} ${c.path.split('/').slice(-2).join('/')}`);
  assert.ok(
    calls.indexOf('patchJson services/web') < calls.indexOf('create kuryrloadbalancers/web'),
  );
  // unchanged Service: no write at all
  const writes = kube.calls.length;
  await svcH.onPresent(live, ctx);
  assert.equal(kube.calls.filter((c, i) => i >= writes && c.method !== 'get').length, 0);
});

test('endpoints first creates the complete KLB; scaling up/down and Endpoints deletion follow', async () => {
  const { kube, ctx, svcH, epH } = setup();
  kube.seed(KINDS.service, service('web', {}));
  let ep = kube.seed(KINDS.endpoints, endpoints('web', ['10.1.0.2']));
  await epH.onPresent(ep, ctx);
  let klb = await kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns');
  assert.equal(klb.spec.subnet_id, 'svc-subnet');
  assert.deepEqual(ips(klb), ['10.1.0.2']);
  assert.deepEqual((await kube.get(KINDS.service, 'web', 'ns')).metadata?.finalizers, [
    FINALIZER_SERVICE,
  ]);
  await svcH.onPresent(await kube.get(KINDS.service, 'web', 'ns'), ctx);
  ep = kube.seed(KINDS.endpoints, endpoints('web', ['10.1.0.4', '10.1.0.3', '10.1.0.2']));
  await epH.onPresent(ep, ctx);
  klb = await kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns');
  assert.deepEqual(ips(klb), ['10.1.0.2', '10.1.0.3', '10.1.0.4']);
  ep = kube.seed(KINDS.endpoints, endpoints('web', ['10.1.0.3']));
  await epH.onPresent(ep, ctx);
  assert.deepEqual(ips(await kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns')), ['10.1.0.3']);
  await kube.delete(KINDS.endpoints, 'web', 'ns');
  await epH.onDeleted(ep, ctx);
  assert.deepEqual((await kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns')).spec.endpointSlices, []);
});

test('headless, ExternalName, default/kubernetes and Endpoints without Service: nothing written', async () => {
  const { kube, ctx, svcH, epH } = setup();
  const headless = kube.seed(KINDS.service, service('hl', { clusterIP: 'None' }));
  const ext = kube.seed(KINDS.service, {
    metadata: { name: 'ext', namespace: 'ns' },
    spec: { type: 'ExternalName', externalName: 'a.example' },
  });
  const api = kube.seed(KINDS.service, {
    ...service('kubernetes', {}),
    metadata: { name: 'kubernetes', namespace: 'default' },
  });
  for (const s of [headless, ext, api]) assert.deepEqual(await svcH.onPresent(s, ctx), {});
  await epH.onPresent(
    kube.seed(
      KINDS.endpoints,
      endpoints('hl', ['10.1.0.2'], { 'service.kubernetes.io/headless': '' }),
    ),
    ctx,
  );
  await epH.onPresent(kube.seed(KINDS.endpoints, endpoints('lock', [])), ctx);
  await epH.onPresent(kube.seed(KINDS.endpoints, endpoints('ext', ['10.1.0.2'])), ctx);
  assert.equal((await kube.list(KINDS.kuryrLoadBalancer)).items.length, 0);
  for (const s of (await kube.list(KINDS.service)).items)
    assert.equal(s.metadata?.finalizers, undefined);
});

test('deletion: KLB deleted, Service finalizer kept until the KLB (and its Octavia side) is gone', async () => {
  const { kube, ctx, svcH } = setup();
  kube.seed(KINDS.service, service('web', {}));
  await svcH.onPresent(await kube.get(KINDS.service, 'web', 'ns'), ctx);
  // what the kuryrloadbalancer handler's pipeline does before touching Octavia
  await kube.patchMerge(KINDS.kuryrLoadBalancer, 'web', 'ns', {
    metadata: { finalizers: [FINALIZER_KURYRLOADBALANCER] },
  });
  await kube.delete(KINDS.service, 'web', 'ns'); // has our finalizer ⇒ deletionTimestamp
  let svc = await kube.get(KINDS.service, 'web', 'ns');
  assert.ok(svc.metadata?.deletionTimestamp);
  assert.ok((await svcH.onFinalize(svc, ctx)).requeueAfterMs, 'waits for the KLB');
  assert.ok((await kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns')).metadata?.deletionTimestamp);
  assert.deepEqual((await kube.get(KINDS.service, 'web', 'ns')).metadata?.finalizers, [
    FINALIZER_SERVICE,
  ]);
  // the kuryrloadbalancer handler finished: KLB finalizer gone ⇒ the KLB is gone
  await kube.patchMerge(KINDS.kuryrLoadBalancer, 'web', 'ns', { metadata: { finalizers: null } });
  await kube.delete(KINDS.kuryrLoadBalancer, 'web', 'ns');
  svc = await kube.get(KINDS.service, 'web', 'ns');
  assert.deepEqual(await svcH.onFinalize(svc, ctx), {});
  assert.deepEqual((await kube.get(KINDS.service, 'web', 'ns')).metadata?.finalizers, []);
  assert.deepEqual(
    await svcH.onFinalize(await kube.get(KINDS.service, 'web', 'ns'), ctx),
    {},
    'idempotent',
  );
});

test('Service changes patch only the changed fields; becoming ExternalName releases everything', async () => {
  const { kube, ctx, svcH } = setup();
  kube.seed(KINDS.service, service('web', {}));
  await svcH.onPresent(await kube.get(KINDS.service, 'web', 'ns'), ctx);
  let svc = await kube.get(KINDS.service, 'web', 'ns');
  svc = kube.seed(KINDS.service, {
    ...svc,
    metadata: {
      ...svc.metadata,
      annotations: { 'openstack.org/kuryr-timeout-client-data': '50000' },
    },
    spec: {
      clusterIP: '10.0.0.10',
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'q', port: 5000, protocol: 'SCTP', targetPort: 5000 },
      ],
    },
  });
  const before = kube.calls.length;
  await svcH.onPresent(svc, ctx);
  const patch = kube.calls.slice(before).find((c) => c.method === 'patchMerge');
  assert.deepEqual(Object.keys((patch?.body as { spec: object }).spec).sort(), [
    'ports',
    'timeout_client_data',
  ]);
  const klb = await kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns');
  assert.equal(klb.spec.ports?.length, 2);
  assert.equal(klb.spec.timeout_client_data, 50000);
  svc = kube.seed(KINDS.service, {
    ...svc,
    spec: { type: 'ExternalName', externalName: 'a.example' },
  });
  assert.deepEqual(await svcH.onPresent(svc, ctx), {});
  await assert.rejects(kube.get(KINDS.kuryrLoadBalancer, 'web', 'ns'));
  assert.deepEqual((await kube.get(KINDS.service, 'web', 'ns')).metadata?.finalizers, []);
});

test('lost create race: falls back to patching the winner', async () => {
  const { kube, ctx, epH } = setup();
  kube.seed(KINDS.service, service('web', {}));
  const ep = kube.seed(KINDS.endpoints, endpoints('web', ['10.1.0.7']));
  // the service handler created it (without endpoints) between our get and our create
  kube.failNext(
    'create',
    apiError(409, { reason: 'AlreadyExists', message: 'exists' }, { method: 'POST', path: '/x' }),
  );
  kube.seed(KINDS.kuryrLoadBalancer, { metadata: { name: 'other', namespace: 'ns' }, spec: {} });
  const realGet = kube.get.bind(kube);
  let first = true;
  kube.get = (async (k: ResourceKind, name: string, ns?: string) => {
    if (k === KINDS.kuryrLoadBalancer && first) {
      first = false;
      kube.seed(KINDS.kuryrLoadBalancer, {
        metadata: { name: 'web', namespace: 'ns' },
        spec: { ip: 'old' },
      });
      return realGet(KINDS.kuryrLoadBalancer, 'missing', ns);
    }
    return realGet(k, name, ns);
  }) as typeof kube.get;
  await epH.onPresent(ep, ctx);
  const klb = await realGet(KINDS.kuryrLoadBalancer, 'web', 'ns');
  assert.equal(klb.spec.ip, '10.0.0.10');
  assert.deepEqual(ips(klb), ['10.1.0.7']);
});

test('reconcile: re-creates a KLB deleted by hand, leaves orphans to the garbage collector', async () => {
  const { kube, ctx, svcH } = setup();
  kube.seed(KINDS.service, service('web', {}));
  await svcH.onPresent(await kube.get(KINDS.service, 'web', 'ns'), ctx);
  await kube.delete(KINDS.kuryrLoadBalancer, 'web', 'ns');
  kube.seed(KINDS.kuryrLoadBalancer, {
    metadata: {
      name: 'orphan',
      namespace: 'ns',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'orphan', uid: 'x' }],
    },
    spec: {},
  });
  await svcH.reconcile((await kube.list(KINDS.service)).items, ctx);
  const names = (await kube.list(KINDS.kuryrLoadBalancer)).items.map((k) => k.metadata?.name);
  assert.deepEqual(names.sort(), ['orphan', 'web']);
});

test('registry: service/endpoints need the service spec drivers', async () => {
  const { DRIVER_HANDLERS } = await import('./registry.js');
  const { ConfigurationError } = await import('../../common/errors/index.js');
  const base = {} as Parameters<NonNullable<typeof DRIVER_HANDLERS.service>>[0];
  assert.throws(() => DRIVER_HANDLERS.service?.(base), ConfigurationError);
  const serviceSpec = {
    project: new DefaultProjectDriver('p'),
    securityGroups: new DefaultSecurityGroupsDriver(['s']),
    subnetId: 'sub',
    provider: 'amphora',
    timeoutClientData: 0,
    timeoutMemberData: 0,
  };
  assert.equal(DRIVER_HANDLERS.service?.({ ...base, serviceSpec }).alias, 'service');
  assert.equal(DRIVER_HANDLERS.endpoints?.({ ...base, serviceSpec }).alias, 'endpoints');
});

test('Service deleted or being deleted between the Endpoints read and the finalizer: no error, no KLB', async () => {
  const { kube, ctx, epH } = setup();
  const svc = kube.seed(KINDS.service, service('web', {}));
  const ep = kube.seed(KINDS.endpoints, endpoints('web', ['10.1.0.2']));
  const realGet = kube.get.bind(kube);
  // the handler reads a live Service, which then starts deleting (another finalizer holds it)
  kube.get = (async (k: ResourceKind, name: string, ns?: string) => {
    const obj = await realGet(k, name, ns);
    if (k === KINDS.service && !obj.metadata?.deletionTimestamp) {
      kube.seed(KINDS.service, {
        ...svc,
        metadata: { ...svc.metadata, finalizers: ['other'], deletionTimestamp: 'now' },
      });
    }
    return obj;
  }) as typeof kube.get;
  assert.deepEqual(await epH.onPresent(ep, ctx), {});
  kube.get = realGet;
  assert.equal((await kube.list(KINDS.kuryrLoadBalancer)).items.length, 0);
  await kube.delete(KINDS.service, 'web', 'ns');
  await kube.patchMerge(KINDS.service, 'web', 'ns', { metadata: { finalizers: null } });
  await kube.delete(KINDS.service, 'web', 'ns');
  assert.deepEqual(await epH.onPresent(ep, ctx), {}, 'Service gone');
});
