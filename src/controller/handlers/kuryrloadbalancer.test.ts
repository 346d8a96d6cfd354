/**
 * Unit tests of the `kuryrloadbalancer` handler with the real KlbSync and Octavia/floating-IP drivers
 * over FakeOctavia + FakeNeutron + FakeKube: exact Octavia objects, diff-only changes, ERROR and vanished
 * load balancers, floating IPs, deletion.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { KuryrLoadBalancer } from '../../k8s/crds/types.js';
import { EventRecorder } from '../../k8s/events.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { NeutronClient } from '../../openstack/neutron/index.js';
import { OctaviaClient } from '../../openstack/octavia/index.js';
import { FakeNeutron } from '../../openstack/testing/fake-neutron.js';
import { FakeOctavia } from '../../openstack/testing/fake-octavia.js';
import { FloatingIpDriver } from '../lbaas/floating-ip-driver.js';
import { KlbSync } from '../lbaas/klb-sync.js';
import { VIP_PORT_OWNER } from '../lbaas/names.js';
import { OctaviaLbaasDriver } from '../lbaas/octavia-driver.js';
import type { HandlerContext } from '../pipeline/types.js';
import { KuryrLoadBalancerHandler } from './kuryrloadbalancer.js';

const log = pino({ level: 'silent' });

function world(opts: { maxMinor?: number } = {}) {
  const octaviaFake = new FakeOctavia();
  if (opts.maxMinor !== undefined) octaviaFake.maxMinor = opts.maxMinor;
  const neutronFake = new FakeNeutron();
  let t = 0;
  const clock = { now: () => t, sleep: (ms: number) => ((t += ms), Promise.resolve()) };
  const octavia = new OctaviaClient(octaviaFake, { clock });
  const neutron = new NeutronClient(neutronFake);
  const net = neutronFake.seed('networks', { name: 'svc-net' });
  const subnet = neutronFake.seed('subnets', {
    network_id: net.id,
    cidr: '10.2.0.0/16',
    ip_version: 4,
  });
  const ext = neutronFake.seed('networks', { name: 'ext', 'router:external': true });
  const lbaas = new OctaviaLbaasDriver(octavia, neutron, log, { resourceTags: ['kg2'] });
  const pubIp = new FloatingIpDriver(neutron, { externalNetworkId: ext.id });
  const sync = new KlbSync(
    lbaas,
    pubIp,
    { provider: 'default', enforceSgRules: true, timeoutClientData: 0, timeoutMemberData: 0 },
    log,
  );
  const handler = new KuryrLoadBalancerHandler(sync, lbaas, pubIp);
  const kube = new FakeKube();
  const ctx: HandlerContext = {
    api: kube,
    events: new EventRecorder(kube, { log, enabled: false }),
    log,
    signal: new AbortController().signal,
  };
  kube.seed(KINDS.service, { metadata: { name: 'web', namespace: 'demo' } });
  const klb = (spec: Partial<KuryrLoadBalancer['spec']> = {}): KuryrLoadBalancer =>
    kube.seed(KINDS.kuryrLoadBalancer, {
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        ip: '10.2.0.10',
        subnet_id: subnet.id,
        project_id: 'p1',
        security_groups_ids: ['sg1'],
        type: 'ClusterIP',
        provider: 'amphora',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: '5353' },
          { name: 'sig', port: 9, protocol: 'SCTP', targetPort: '9999' },
        ],
        endpointSlices: [
          {
            endpoints: ['10.1.0.3', '10.1.0.4'].map((ip, i) => ({
              addresses: [ip],
              conditions: { ready: true },
              targetRef: { kind: 'Pod', name: `web-${i}`, namespace: 'demo' },
            })),
            ports: [
              { name: 'http', port: 8080, protocol: 'TCP' },
              { name: 'dns', port: 5353, protocol: 'UDP' },
              { name: 'sig', port: 9999, protocol: 'SCTP' },
            ],
          },
        ],
        ...spec,
      },
    });
  const current = () => kube.get(KINDS.kuryrLoadBalancer, 'web', 'demo');
  const run = async () => handler.onPresent(await current(), ctx);
  return { octaviaFake, neutronFake, neutron, kube, ctx, handler, klb, current, run, ext, subnet };
}

describe('kuryrloadbalancer handler', () => {
  test('several ports and protocols: exactly one LB, a listener + pool per port, a member per endpoint', async () => {
    const w = world();
    w.klb();
    await w.run();
    const [lb, ...more] = [...w.octaviaFake.lbs.values()];
    assert.equal(more.length, 0);
    assert.equal(lb!['name'], 'demo/web');
    assert.equal(lb!['vip_address'], '10.2.0.10');
    assert.deepEqual(lb!['tags'], ['kg2']);
    const vip = w.neutronFake.all('ports').find((p) => p.id === lb!['vip_port_id']);
    assert.equal(vip?.['device_owner'], VIP_PORT_OWNER);
    assert.deepEqual(vip?.['security_groups'], ['sg1']);
    const listeners = [...w.octaviaFake.listeners.values()].map(
      (l) => `${String(l['name'])} ${String(l['protocol'])}`,
    );
    assert.deepEqual(listeners.sort(), [
      'demo/web:SCTP:9 SCTP',
      'demo/web:TCP:80 TCP',
      'demo/web:UDP:53 UDP',
    ]);
    assert.equal(w.octaviaFake.pools.size, 3);
    for (const p of w.octaviaFake.pools.values()) {
      assert.equal(p['lb_algorithm'], 'ROUND_ROBIN');
      const l = w.octaviaFake.listeners.get((p['listeners'] as { id: string }[])[0]!.id);
      assert.equal(p['name'], l!['name']);
    }
    const members = [...w.octaviaFake.members.values()].map(
      (m) => `${String(m['name'])} ${String(m['address'])}:${Number(m['protocol_port'])}`,
    );
    assert.deepEqual(members.sort(), [
      'demo/web-0:5353 10.1.0.3:5353',
      'demo/web-0:8080 10.1.0.3:8080',
      'demo/web-0:9999 10.1.0.3:9999',
      'demo/web-1:5353 10.1.0.4:5353',
      'demo/web-1:8080 10.1.0.4:8080',
      'demo/web-1:9999 10.1.0.4:9999',
    ]);
    // Fresh pools are filled with one batch update each (one Octavia transition per pool).
    const batches = w.octaviaFake.mutations().filter((m) => /^PUT .*\/members$/.test(m));
    assert.equal(batches.length, 3);
    const st = (await w.current()).status!;
    assert.deepEqual(Object.keys(st.loadbalancer!).sort(), [
      'id',
      'ip',
      'name',
      'port_id',
      'project_id',
      'provider',
      'security_groups',
      'subnet_id',
    ]);
    assert.equal(st.loadbalancer!.port_id, vip.id);
    assert.equal(st.listeners!.length, 3);
    assert.equal(st.pools!.length, 3);
    assert.equal(st.members!.length, 6);
    assert.equal(st.members![0]!.subnet_id, w.subnet.id);
  });

  test('SCTP is left out when the Octavia API is older than 2.23', async () => {
    const w = world({ maxMinor: 22 });
    w.klb();
    await w.run();
    assert.deepEqual([...w.octaviaFake.listeners.values()].map((l) => l['protocol']).sort(), [
      'TCP',
      'UDP',
    ]);
    assert.equal(w.octaviaFake.members.size, 4);
  });

  test('a second run with nothing changed sends no mutation', async () => {
    const w = world();
    w.klb();
    await w.run();
    const before = w.octaviaFake.mutations().length;
    await w.run();
    assert.equal(w.octaviaFake.mutations().length, before);
  });

  test('endpoints scaling: only the changed members are deleted/created, the rest untouched', async () => {
    const w = world();
    w.klb({ ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }] });
    await w.run();
    const kept = [...w.octaviaFake.members.values()].find((m) => m['address'] === '10.1.0.3')!.id;
    const cur = await w.current();
    cur.spec.endpointSlices![0]!.endpoints = ['10.1.0.3', '10.1.0.9'].map((ip) => ({
      addresses: [ip],
      conditions: { ready: true },
    }));
    await w.kube.replace(KINDS.kuryrLoadBalancer, cur);
    const before = w.octaviaFake.mutations().length;
    await w.run();
    const muts = w.octaviaFake.mutations().slice(before);
    assert.equal(muts.filter((m) => m.startsWith('DELETE')).length, 1);
    assert.equal(muts.filter((m) => m.startsWith('POST')).length, 1);
    const now = [...w.octaviaFake.members.values()];
    assert.deepEqual(now.map((m) => m['address']).sort(), ['10.1.0.3', '10.1.0.9']);
    assert.ok(now.some((m) => m.id === kept));
    assert.equal((await w.current()).status!.members!.length, 2);
  });

  test('a port removed from the spec takes its listener, pool and members with it', async () => {
    const w = world();
    w.klb();
    await w.run();
    const cur = await w.current();
    cur.spec.ports = cur.spec.ports!.filter((p) => p.protocol !== 'UDP');
    await w.kube.replace(KINDS.kuryrLoadBalancer, cur);
    await w.run();
    assert.deepEqual([...w.octaviaFake.listeners.values()].map((l) => l['protocol']).sort(), [
      'SCTP',
      'TCP',
    ]);
    assert.equal(w.octaviaFake.pools.size, 2);
    assert.equal(w.octaviaFake.members.size, 4);
    const st = (await w.current()).status!;
    assert.equal(st.listeners!.length, 2);
    assert.equal(st.members!.length, 4);
  });

  test('a load balancer in ERROR is deleted and recreated', async () => {
    const w = world();
    w.klb();
    await w.run();
    const oldId = (await w.current()).status!.loadbalancer!.id;
    w.octaviaFake.setStatus(oldId, 'ERROR');
    await w.run();
    const st = (await w.current()).status!;
    assert.notEqual(st.loadbalancer!.id, oldId);
    assert.deepEqual([...w.octaviaFake.lbs.keys()], [st.loadbalancer!.id]);
    assert.equal(w.octaviaFake.members.size, 6);
    assert.equal(w.neutronFake.all('ports').length, 1);
  });

  test('a load balancer born in ERROR is deleted and the run is retried (NotReadyError), then succeeds', async () => {
    const w = world();
    w.klb();
    let broken = false;
    w.octaviaFake.failWith = (req) => {
      const m = /^\/v2\/lbaas\/loadbalancers\/([^/]+)$/.exec(req.path);
      if (req.method === 'GET' && m && !broken) {
        broken = true;
        w.octaviaFake.setStatus(m[1]!, 'ERROR');
      }
      return undefined;
    };
    await assert.rejects(
      w.run(),
      (e: Error) => e.name === 'NotReadyError' && /ERROR/.test(e.message),
    );
    assert.equal((await w.current()).status?.loadbalancer, undefined);
    await w.run();
    const st = (await w.current()).status!;
    assert.equal(w.octaviaFake.lbs.get(st.loadbalancer!.id)?.['provisioning_status'], 'ACTIVE');
    assert.equal(w.octaviaFake.lbs.size, 1);
    assert.equal(w.octaviaFake.members.size, 6);
  });

  test('reconcile: a load balancer deleted behind our back is recreated on the next run', async () => {
    const w = world();
    w.klb();
    await w.run();
    const oldId = (await w.current()).status!.loadbalancer!.id;
    w.octaviaFake.vanish(oldId);
    await w.handler.reconcile([await w.current()], w.ctx);
    assert.equal((await w.current()).status!.loadbalancer, undefined);
    await w.run();
    const st = (await w.current()).status!;
    assert.notEqual(st.loadbalancer!.id, oldId);
    assert.equal(st.loadbalancer!.ip, '10.2.0.10');
    assert.equal(w.octaviaFake.listeners.size, 3);
    assert.equal(w.octaviaFake.members.size, 6);
  });

  test('reconcile: a member deleted behind our back is recreated; nothing to do means no write', async () => {
    const w = world();
    w.klb();
    await w.run();
    const victim = [...w.octaviaFake.members.values()][0]!;
    w.octaviaFake.members.delete(victim.id);
    await w.handler.reconcile([await w.current()], w.ctx);
    assert.equal((await w.current()).status!.members!.length, 5);
    await w.run();
    assert.equal(w.octaviaFake.members.size, 6);
    const writes = () => w.kube.calls.filter((c) => c.method !== 'get').length;
    const before = writes();
    await w.handler.reconcile([await w.current()], w.ctx);
    assert.equal(writes(), before);
  });

  test('LoadBalancer type: floating IP on the external network, associated, written back', async () => {
    const w = world();
    w.klb({ type: 'LoadBalancer' });
    await w.run();
    const st = (await w.current()).status!;
    const fip = w.neutronFake.all('floatingips')[0]!;
    assert.equal(fip['floating_network_id'], w.ext.id);
    assert.equal(fip['port_id'], st.loadbalancer!.port_id);
    assert.equal(fip['description'], 'kuryr_lb');
    assert.deepEqual(st.service_pub_ip_info, {
      ip_id: fip.id,
      ip_addr: fip['floating_ip_address'],
      alloc_method: 'pool',
    });
    const svc = await w.kube.get(KINDS.service, 'web', 'demo');
    assert.deepEqual((svc as { status?: unknown }).status, {
      loadBalancer: { ingress: [{ ip: fip['floating_ip_address'] }] },
    });
    await w.handler.onFinalize(await w.current(), w.ctx);
    assert.equal(w.neutronFake.all('floatingips').length, 0);
    assert.equal(w.octaviaFake.lbs.size, 0);
    assert.equal(w.neutronFake.all('ports').length, 0);
  });

  test('LoadBalancer type: the floating IP is allocated associated, in one POST; a lost status write adopts it', async () => {
    const w = world();
    w.klb({ type: 'LoadBalancer' });
    await w.run();
    const fipWrites = () =>
      w.neutronFake.requests.filter((r) => r.method !== 'GET' && r.path.includes('/floatingips'));
    // POST with port_id (+ no association PUT): the address can never exist unassociated.
    assert.deepEqual(
      fipWrites().map((r) => r.method),
      ['POST'],
    );
    const first = (await w.current()).status!.service_pub_ip_info!;
    // A crash between the POST and the status write: the status never learnt about the address.
    await w.kube.patchJson(KINDS.kuryrLoadBalancer, 'web', 'demo', [
      { op: 'remove', path: '/status/service_pub_ip_info' },
    ]);
    await w.run();
    assert.deepEqual((await w.current()).status!.service_pub_ip_info, first);
    assert.equal(w.neutronFake.all('floatingips').length, 1);
    assert.equal(fipWrites().length, 1);
    await w.handler.onFinalize(await w.current(), w.ctx);
    assert.equal(w.neutronFake.all('floatingips').length, 0);
  });

  test('LoadBalancer type: a floating IP of someone else on the VIP port is not adopted', async () => {
    const w = world();
    w.klb({ type: 'LoadBalancer' });
    await w.run();
    const st = (await w.current()).status!;
    const foreign = w.neutronFake.seed('floatingips', {
      floating_network_id: w.ext.id,
      port_id: st.loadbalancer!.port_id,
      description: 'not kuryr',
    });
    await w.kube.patchJson(KINDS.kuryrLoadBalancer, 'web', 'demo', [
      { op: 'remove', path: '/status/service_pub_ip_info' },
    ]);
    await w.run();
    const info = (await w.current()).status!.service_pub_ip_info!;
    assert.notEqual(info.ip_id, foreign.id);
    assert.equal(info.alloc_method, 'pool');
  });

  test('LoadBalancer -> ClusterIP releases the floating IP and clears the Service ingress', async () => {
    const w = world();
    w.klb({ type: 'LoadBalancer' });
    await w.run();
    assert.equal(w.neutronFake.all('floatingips').length, 1);
    const cur = await w.current();
    cur.spec.type = 'ClusterIP';
    await w.kube.replace(KINDS.kuryrLoadBalancer, cur);
    await w.run();
    assert.equal(w.neutronFake.all('floatingips').length, 0);
    assert.equal((await w.current()).status!.service_pub_ip_info, undefined);
    const svc = (await w.kube.get(KINDS.service, 'web', 'demo')) as { status?: unknown };
    assert.deepEqual(svc.status, { loadBalancer: {} });
  });

  test('changed security groups go onto the VIP port without touching Octavia', async () => {
    const w = world();
    w.klb();
    await w.run();
    const before = w.octaviaFake.mutations().length;
    const cur = await w.current();
    cur.spec.security_groups_ids = ['sg2', 'sg3'];
    await w.kube.replace(KINDS.kuryrLoadBalancer, cur);
    await w.run();
    const st = (await w.current()).status!;
    const vip = w.neutronFake.all('ports').find((p) => p.id === st.loadbalancer!.port_id);
    assert.deepEqual(vip?.['security_groups'], ['sg2', 'sg3']);
    assert.deepEqual(st.loadbalancer!.security_groups, ['sg2', 'sg3']);
    assert.equal(w.octaviaFake.mutations().length, before);
  });

  test('loadBalancerIP adopts the user floating IP and only disassociates it on deletion', async () => {
    const w = world();
    const userFip = w.neutronFake.seed('floatingips', {
      floating_network_id: w.ext.id,
      floating_ip_address: '203.0.113.77',
    });
    w.klb({ type: 'LoadBalancer', lb_ip: '203.0.113.77' });
    await w.run();
    const st = (await w.current()).status!;
    assert.deepEqual(st.service_pub_ip_info, {
      ip_id: userFip.id,
      ip_addr: '203.0.113.77',
      alloc_method: 'user',
    });
    assert.equal(w.neutronFake.all('floatingips')[0]!['port_id'], st.loadbalancer!.port_id);
    await w.handler.onFinalize(await w.current(), w.ctx);
    const left = w.neutronFake.all('floatingips');
    assert.equal(left.length, 1);
    assert.equal(left[0]!['port_id'], null);
  });

  test('nothing is created before the first endpoint, nor without a clusterIP', async () => {
    const w = world();
    w.klb({ endpointSlices: [] });
    await w.run();
    const cur = await w.current();
    cur.spec.ip = undefined;
    cur.spec.endpointSlices = undefined;
    await w.kube.replace(KINDS.kuryrLoadBalancer, cur);
    await w.run();
    assert.equal(w.octaviaFake.requests.length, 0);
    assert.equal(w.neutronFake.requests.length, 0);
  });

  test('deletion after a crash before the first status write still finds the VIP port and LB', async () => {
    const w = world();
    w.klb();
    // The crash: the status patch fails after the load balancer was made.
    w.kube.failNext('patchJson', new Error('crash'));
    await assert.rejects(w.run(), /crash/);
    assert.equal(w.octaviaFake.lbs.size, 1);
    assert.equal((await w.current()).status, undefined);
    // A restart converges without a second load balancer …
    await w.run();
    assert.equal(w.octaviaFake.lbs.size, 1);
    // … and a deletion without any status removes everything too.
    const cur = await w.current();
    delete cur.status;
    await w.handler.onFinalize(cur, w.ctx);
    assert.equal(w.octaviaFake.lbs.size, 0);
    assert.equal(w.neutronFake.all('ports').length, 0);
  });
});
