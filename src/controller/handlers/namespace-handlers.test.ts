import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../common/config/index.js';
import { ConfigurationError } from '../../common/errors/index.js';
import { EventRecorder } from '../../k8s/events.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { buildPodDrivers } from '../drivers/build-drivers.js';
import { DefaultProjectDriver } from '../drivers/project/default.js';
import { NamespaceSubnetsDriver } from '../drivers/subnets/namespace.js';
import { fakeCloud, silentLog } from '../drivers/testing/fake-cloud.js';
import type { HandlerContext } from '../pipeline/types.js';
import { KuryrNetworkHandler } from './kuryrnetwork.js';
import { kuryrNetworkSubnetLookup } from './namespace-lookups.js';
import { NamespaceHandler } from './namespace.js';
import { DRIVER_HANDLERS } from './registry.js';

/** A fake cloud with a subnetpool and router, the namespace subnets driver on it, a handler context. */
function setup() {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  const pool = cloud.http.fake.seed('subnetpools', {
    prefixes: ['10.60.0.0/16'],
    default_prefixlen: 24,
  });
  const router = cloud.http.fake.seed('routers', {});
  const subnets = new NamespaceSubnetsDriver(cloud.neutron, silentLog, {
    routerId: router.id,
    subnetPoolId: pool.id,
    lookup: kuryrNetworkSubnetLookup(kube),
  });
  const ctx: HandlerContext = {
    api: kube,
    events: new EventRecorder(kube, { log: silentLog, enabled: false }),
    log: silentLog,
    signal: new AbortController().signal,
  };
  return { cloud, kube, subnets, ctx };
}

test('namespace → KuryrNetwork → Neutron network in status → subnet lookup → delete', async () => {
  const { kube, cloud, subnets, ctx } = setup();
  const ns = kube.seed(KINDS.namespace, { metadata: { name: 'team', labels: { a: 'b' } } });
  await new NamespaceHandler(new DefaultProjectDriver('proj')).onPresent(ns, ctx);
  let kn = await kube.get(KINDS.kuryrNetwork, 'team', 'team');
  assert.deepEqual(kn.spec, { nsName: 'team', projectId: 'proj', nsLabels: { a: 'b' } });
  const h = new KuryrNetworkHandler(subnets);
  await h.onPresent(kn, ctx);
  kn = await kube.get(KINDS.kuryrNetwork, 'team', 'team');
  assert.ok(kn.status?.netId && kn.status.subnetId);
  assert.equal(kn.status.subnetCIDR, '10.60.0.0/24');
  const net = await cloud.neutron.networks.get(kn.status.netId);
  assert.equal(net.name, `${ns.metadata?.uid}/team`);
  const [ps] = await subnets.getSubnets({ namespace: 'team' });
  assert.equal(ps?.subnet.id, kn.status.subnetId);
  await h.onFinalize(kn, ctx);
  assert.equal(cloud.http.fake.all('networks').length, 1); // only the fake cloud's own
});

test('buildPodDrivers resolves every alias; kuryrnetwork needs the namespace subnets driver', () => {
  const cloud = fakeCloud();
  const config = defaultConfig();
  config.neutronDefaults.project = 'p';
  config.neutronDefaults.podSubnet = cloud.subnet.id;
  config.neutronDefaults.podSecurityGroups = ['sg'];
  config.kubernetes.vifPoolDriver = 'neutron';
  const d = buildPodDrivers({ neutron: cloud.neutron, config, log: silentLog });
  assert.equal(d.pool.alias, 'neutron');
  assert.equal(d.podVif.alias, 'neutron-vif');
  assert.throws(() => DRIVER_HANDLERS.kuryrnetwork?.(d), ConfigurationError);
  assert.equal(DRIVER_HANDLERS.vif?.(d).alias, 'vif');
  config.kubernetes.podVifDriver = 'nested_vlan';
  assert.throws(
    () => buildPodDrivers({ neutron: cloud.neutron, config, log: silentLog }),
    /pod_vif_driver 'nested_vlan'/,
  );
});

test('kuryrnetwork finalize waits for the namespace KuryrPorts, then deletes the network', async () => {
  const { kube, cloud, subnets, ctx } = setup();
  const ns = kube.seed(KINDS.namespace, { metadata: { name: 'gone' } });
  await new NamespaceHandler(new DefaultProjectDriver('proj')).onPresent(ns, ctx);
  const h = new KuryrNetworkHandler(subnets);
  await h.onPresent(await kube.get(KINDS.kuryrNetwork, 'gone', 'gone'), ctx);
  const kn = await kube.get(KINDS.kuryrNetwork, 'gone', 'gone');
  kube.seed(KINDS.kuryrPort, {
    metadata: { name: 'web', namespace: 'gone' },
    spec: { podUid: 'u', podNodeName: 'n' },
  });
  assert.deepEqual(await h.onFinalize(kn, ctx), { requeueAfterMs: 1000 });
  assert.ok(await cloud.neutron.networks.get(kn.status?.netId ?? ''), 'network kept for the pod');
  await kube.delete(KINDS.kuryrPort, 'web', 'gone');
  assert.equal(await h.onFinalize(kn, ctx), undefined);
  await assert.rejects(cloud.neutron.networks.get(kn.status?.netId ?? ''), /could not be found/);
});

test('kuryrnetwork creates no network for a terminating namespace', async () => {
  const { kube, cloud, subnets, ctx } = setup();
  kube.seed(KINDS.namespace, {
    metadata: { name: 'bye', deletionTimestamp: '2026-01-01T00:00:00Z' },
  });
  const networks = cloud.http.fake.all('networks').length;
  await new KuryrNetworkHandler(subnets).onPresent(
    {
      apiVersion: 'openstack.org/v1',
      kind: 'KuryrNetwork',
      metadata: { name: 'bye', namespace: 'bye' },
      spec: { nsName: 'bye', projectId: 'p', nsLabels: {} },
    },
    ctx,
  );
  assert.equal(cloud.http.fake.all('networks').length, networks);
});
