/**
 * Integration: the `kuryrloadbalancer` handler (built as the controller builds it) against the REAL
 * Octavia (amphora provider on no-op drivers: provisioning really goes PENDING_* → ACTIVE through the
 * worker), the REAL Neutron and the REAL kube-apiserver: several ports and protocols map exactly onto
 * Octavia, members follow the endpoints up and down without touching the unchanged ones, a LoadBalancer
 * Service gets a floating IP written back, a user's loadBalancerIP is adopted, a load balancer deleted
 * behind our back or put in ERROR is recreated, and deletion leaves nothing in Octavia or Neutron.
 * Everything is named `kg2-lb-<hex>` and removed by recorded id in `after`.
 *
 * @module test/integration/lbaas/lbaas.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { VIP_PORT_OWNER } from '../../../src/controller/lbaas/names.js';
import { CRD_API_VERSION } from '../../../src/k8s/constants.js';
import type { KuryrLoadBalancer } from '../../../src/k8s/crds/types.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { requireOctaviaOpenStackEnv } from '../../helpers/openstack-env.js';
import { WAIT, cleanupKlb, openLbaasBed, readKlb, type LbaasBed } from './lbaas-bed.js';

const NET = '10.237.41';

type Spec = KuryrLoadBalancer['spec'];

function endpoints(ips: string[], ports: { name: string; port: number; protocol: string }[]) {
  return [
    {
      endpoints: ips.map((ip) => ({
        addresses: [ip],
        conditions: { ready: true },
        targetRef: { kind: 'Pod', name: `pod-${ip.split('.').pop()}`, namespace: 'x' },
      })),
      ports,
    },
  ];
}

const WEB_PORTS = [
  { name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' },
  { name: 'https', port: 443, protocol: 'TCP', targetPort: '8443' },
  { name: 'dns', port: 53, protocol: 'UDP', targetPort: '5353' },
  { name: 'sig', port: 9, protocol: 'SCTP', targetPort: '9999' },
];
const WEB_EP_PORTS = [
  { name: 'http', port: 8080, protocol: 'TCP' },
  { name: 'https', port: 8443, protocol: 'TCP' },
  { name: 'dns', port: 5353, protocol: 'UDP' },
  { name: 'sig', port: 9999, protocol: 'SCTP' },
];

describe('kuryrloadbalancer against the real Octavia, Neutron and kube-apiserver', () => {
  let bed: LbaasBed;

  before(async () => {
    bed = await openLbaasBed('kg2-lb', `${NET}.0/24`, '192.0.2.0/24');
  });
  after(async () => {
    await bed?.close();
  });

  async function createKlb(name: string, spec: Partial<Spec>): Promise<void> {
    await bed.kube.create(KINDS.kuryrLoadBalancer, {
      apiVersion: CRD_API_VERSION,
      kind: 'KuryrLoadBalancer',
      metadata: { name, namespace: bed.namespace },
      spec: {
        subnet_id: bed.serviceSubnet.id,
        project_id: bed.projectId,
        security_groups_ids: [],
        type: 'ClusterIP',
        provider: 'amphora',
        ...spec,
      },
    });
  }

  async function updateSpec(name: string, spec: Partial<Spec>): Promise<void> {
    await bed.kube.patchMerge(KINDS.kuryrLoadBalancer, name, bed.namespace, { spec });
  }

  /** One handler run on the current object; registers cleanup of what its status names. */
  async function run(name: string): Promise<KuryrLoadBalancer> {
    await bed.handler.onPresent((await readKlb(bed, name))!, bed.ctx);
    const klb = (await readKlb(bed, name))!;
    cleanupKlb(bed, klb);
    return klb;
  }

  /** Octavia's view: listeners, pools and members of a load balancer as sortable strings. */
  async function octaviaView(lbId: string) {
    const listeners = await bed.octavia.listeners.listAll({ loadbalancer_id: lbId });
    const pools = await bed.octavia.pools.listAll({ loadbalancer_id: lbId });
    const members: string[] = [];
    const memberIds = new Map<string, string>();
    for (const p of pools) {
      const l = listeners.find((x) => x.default_pool_id === p.id);
      for (const m of await bed.octavia.members.listAll(p.id)) {
        const key = `${l?.protocol}:${l?.protocol_port} ${m.address}:${m.protocol_port}`;
        members.push(key);
        memberIds.set(key, m.id);
      }
    }
    return {
      listeners: listeners
        .map((l) => `${l.name} ${l.protocol} ${l.protocol_port} ${l.timeout_client_data}`)
        .sort(),
      pools: pools.map((p) => `${p.name} ${p.protocol} ${p.lb_algorithm}`).sort(),
      members: members.sort(),
      memberIds,
    };
  }

  test('several ports and protocols → exactly one LB (VIP = clusterIP), a listener + pool per port, a member per endpoint port', async () => {
    await createKlb('web', {
      ip: `${NET}.10`,
      ports: WEB_PORTS,
      timeout_client_data: 70_000,
      endpointSlices: endpoints(['10.1.0.3', '10.1.0.4'], WEB_EP_PORTS),
    });
    bed.neutronHttp.reset();
    bed.octaviaHttp.reset();
    const klb = await run('web');
    const requests = { neutron: bed.neutronHttp.count, octavia: bed.octaviaHttp.count };
    const octaviaWrites = bed.octaviaHttp.requests.filter((r) => !r.startsWith('GET')).length;
    console.log(
      `# requests for one Service create (4 ports, 2 endpoints): Neutron ${requests.neutron}, ` +
        `Octavia ${requests.octavia} (${octaviaWrites} writes; the rest are reads: ACTIVE polls, member listings)`,
    );
    const st = klb.status!;
    const lb = await bed.octavia.loadBalancers.get(st.loadbalancer!.id);
    assert.equal(lb.provisioning_status, 'ACTIVE');
    assert.equal(lb.name, `${bed.namespace}/web`);
    assert.equal(lb.vip_address, `${NET}.10`);
    assert.equal(lb.vip_subnet_id, bed.serviceSubnet.id);
    assert.equal(lb.vip_port_id, st.loadbalancer!.port_id);
    assert.equal(lb.provider, 'amphora');
    assert.deepEqual(lb.tags, [bed.prefix]);
    const vip = await bed.neutron.ports.get(st.loadbalancer!.port_id);
    assert.deepEqual(vip.fixed_ips, [{ subnet_id: bed.serviceSubnet.id, ip_address: `${NET}.10` }]);
    assert.equal(vip.device_owner, VIP_PORT_OWNER);
    assert.deepEqual(st.loadbalancer, {
      id: lb.id,
      ip: `${NET}.10`,
      name: `${bed.namespace}/web`,
      port_id: vip.id,
      project_id: bed.projectId,
      provider: 'amphora',
      security_groups: [],
      subnet_id: bed.serviceSubnet.id,
    });

    const view = await octaviaView(lb.id);
    const n = `${bed.namespace}/web`;
    assert.deepEqual(view.listeners, [
      `${n}:SCTP:9 SCTP 9 70000`,
      `${n}:TCP:443 TCP 443 70000`,
      `${n}:TCP:80 TCP 80 70000`,
      `${n}:UDP:53 UDP 53 70000`,
    ]);
    assert.deepEqual(view.pools, [
      `${n}:SCTP:9 SCTP ROUND_ROBIN`,
      `${n}:TCP:443 TCP ROUND_ROBIN`,
      `${n}:TCP:80 TCP ROUND_ROBIN`,
      `${n}:UDP:53 UDP ROUND_ROBIN`,
    ]);
    assert.deepEqual(view.members, [
      'SCTP:9 10.1.0.3:9999',
      'SCTP:9 10.1.0.4:9999',
      'TCP:443 10.1.0.3:8443',
      'TCP:443 10.1.0.4:8443',
      'TCP:80 10.1.0.3:8080',
      'TCP:80 10.1.0.4:8080',
      'UDP:53 10.1.0.3:5353',
      'UDP:53 10.1.0.4:5353',
    ]);
    assert.equal(st.listeners!.length, 4);
    assert.equal(st.pools!.length, 4);
    assert.equal(st.members!.length, 8);
    assert.ok(st.members!.every((m) => m.subnet_id === bed.serviceSubnet.id));
    assert.ok(st.members!.some((m) => m.name === 'x/pod-3:8080'));

    // Nothing changed → no Octavia write at all.
    bed.octaviaHttp.reset();
    await run('web');
    assert.deepEqual(
      bed.octaviaHttp.requests.filter((r) => !r.startsWith('GET')),
      [],
    );
  });

  test('members scale up and down; unchanged members keep their ids; a removed port drops its listener', async () => {
    const before = await octaviaView((await readKlb(bed, 'web'))!.status!.loadbalancer!.id);
    const keptId = before.memberIds.get('TCP:80 10.1.0.3:8080');
    await updateSpec('web', {
      endpointSlices: endpoints(['10.1.0.3', '10.1.0.4', '10.1.0.5'], WEB_EP_PORTS),
    });
    let klb = await run('web');
    let view = await octaviaView(klb.status!.loadbalancer!.id);
    assert.equal(view.members.length, 12);
    assert.ok(view.members.includes('UDP:53 10.1.0.5:5353'));
    assert.equal(view.memberIds.get('TCP:80 10.1.0.3:8080'), keptId);

    await updateSpec('web', {
      ports: WEB_PORTS.filter((p) => p.protocol !== 'SCTP'),
      endpointSlices: endpoints(['10.1.0.3'], WEB_EP_PORTS),
    });
    klb = await run('web');
    view = await octaviaView(klb.status!.loadbalancer!.id);
    assert.deepEqual(view.members, [
      'TCP:443 10.1.0.3:8443',
      'TCP:80 10.1.0.3:8080',
      'UDP:53 10.1.0.3:5353',
    ]);
    assert.equal(view.memberIds.get('TCP:80 10.1.0.3:8080'), keptId);
    assert.equal(view.listeners.length, 3);
    assert.equal(view.pools.length, 3);
    assert.equal(klb.status!.members!.length, 3);
    assert.equal(klb.status!.listeners!.length, 3);
  });

  test('a load balancer deleted behind our back: the periodic check notices, the next run recreates it', async () => {
    const old = (await readKlb(bed, 'web'))!;
    const oldId = old.status!.loadbalancer!.id;
    await bed.octavia.loadBalancers.delete(oldId, { cascade: true });
    await bed.octavia.waitDeleted(oldId, WAIT);
    await bed.handler.reconcile([old], bed.ctx);
    assert.equal((await readKlb(bed, 'web'))!.status!.loadbalancer, undefined);
    const klb = await run('web');
    const lb = await bed.octavia.loadBalancers.get(klb.status!.loadbalancer!.id);
    assert.notEqual(lb.id, oldId);
    assert.equal(lb.provisioning_status, 'ACTIVE');
    assert.equal(lb.vip_address, `${NET}.10`);
    const view = await octaviaView(lb.id);
    assert.equal(view.listeners.length, 3);
    assert.equal(view.members.length, 3);
  });

  test('a load balancer in provisioning_status ERROR is replaced by a new one', async () => {
    const old = (await readKlb(bed, 'web'))!;
    const oldId = old.status!.loadbalancer!.id;
    setOctaviaStatus(oldId, 'ERROR');
    assert.equal((await bed.octavia.loadBalancers.get(oldId)).provisioning_status, 'ERROR');
    const klb = await run('web');
    assert.notEqual(klb.status!.loadbalancer!.id, oldId);
    await assert.rejects(bed.octavia.loadBalancers.get(oldId), isNotFoundError);
    const view = await octaviaView(klb.status!.loadbalancer!.id);
    assert.equal(view.members.length, 3);
  });

  test('LoadBalancer type: a floating IP on the external network, associated with the VIP port, written back to the Service', async () => {
    const svc = await bed.kube.create(KINDS.service, {
      metadata: { name: 'pub', namespace: bed.namespace },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    assert.ok(svc.metadata?.uid);
    // deleteNamespace does not list Services: remove it by name.
    bed.cleanup.push('Service pub', () => bed.kube.delete(KINDS.service, 'pub', bed.namespace));
    await createKlb('pub', {
      ip: `${NET}.20`,
      type: 'LoadBalancer',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }],
      endpointSlices: endpoints(['10.1.0.7'], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
    });
    const klb = await run('pub');
    const info = klb.status!.service_pub_ip_info!;
    assert.equal(info.alloc_method, 'pool');
    const fip = await bed.neutron.floatingIps.get(info.ip_id);
    assert.equal(fip.floating_network_id, bed.extNet.id);
    assert.equal(fip.floating_ip_address, info.ip_addr);
    assert.equal(fip.port_id, klb.status!.loadbalancer!.port_id);
    assert.equal(fip.fixed_ip_address, `${NET}.20`);
    const after = (await bed.kube.get(KINDS.service, 'pub', bed.namespace)) as {
      status?: { loadBalancer?: { ingress?: { ip: string }[] } };
    };
    assert.deepEqual(after.status?.loadBalancer?.ingress, [{ ip: info.ip_addr }]);
  });

  test('a floating IP whose status write was lost (crash) is found by its VIP port and adopted, not leaked', async () => {
    const before = (await readKlb(bed, 'pub'))!.status!;
    const info = before.service_pub_ip_info!;
    // The state a crash between the floating IP POST and the status write leaves behind.
    await bed.kube.patchJson(KINDS.kuryrLoadBalancer, 'pub', bed.namespace, [
      { op: 'remove', path: '/status/service_pub_ip_info' },
    ]);
    const klb = await run('pub');
    assert.deepEqual(klb.status!.service_pub_ip_info, info);
    const onPort = await bed.neutron.floatingIps.listAll({ port_id: before.loadbalancer!.port_id });
    assert.deepEqual(
      onPort.map((f) => f.id),
      [info.ip_id],
    );
    const ours = await bed.neutron.floatingIps.listAll({ floating_network_id: bed.extNet.id });
    assert.equal(ours.filter((f) => f.port_id === before.loadbalancer!.port_id).length, 1);
  });

  test('loadBalancerIP: the user floating IP is adopted, and only disassociated on deletion', async () => {
    const userFip = await bed.neutron.floatingIps.create({
      floating_network_id: bed.extNet.id,
      project_id: bed.projectId,
    });
    bed.cleanup.push(`floating IP ${userFip.id}`, () => bed.neutron.floatingIps.delete(userFip.id));
    await createKlb('mine', {
      ip: `${NET}.30`,
      type: 'LoadBalancer',
      lb_ip: userFip.floating_ip_address,
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }],
      endpointSlices: endpoints(['10.1.0.8'], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
    });
    const klb = await run('mine');
    assert.deepEqual(klb.status!.service_pub_ip_info, {
      ip_id: userFip.id,
      ip_addr: userFip.floating_ip_address,
      alloc_method: 'user',
    });
    assert.equal(
      (await bed.neutron.floatingIps.get(userFip.id)).port_id,
      klb.status!.loadbalancer!.port_id,
    );
    await bed.handler.onFinalize(klb, bed.ctx);
    const left = await bed.neutron.floatingIps.get(userFip.id);
    assert.equal(left.port_id, null);
    await assert.rejects(
      bed.octavia.loadBalancers.get(klb.status!.loadbalancer!.id),
      isNotFoundError,
    );
  });

  test('deletion leaves nothing in Octavia or Neutron (load balancer, VIP port, floating IP)', async () => {
    for (const name of ['web', 'pub']) {
      const klb = (await readKlb(bed, name))!;
      const st = klb.status!;
      await bed.handler.onFinalize(klb, bed.ctx);
      await assert.rejects(bed.octavia.loadBalancers.get(st.loadbalancer!.id), isNotFoundError);
      assert.deepEqual(
        await bed.octavia.loadBalancers.listAll({ name: `${bed.namespace}/${name}` }),
        [],
      );
      await assert.rejects(bed.neutron.ports.get(st.loadbalancer!.port_id), isNotFoundError);
      assert.deepEqual(
        await bed.neutron.ports.listAll({
          fixed_ips: [`ip_address=${st.loadbalancer!.ip}`],
          network_id: bed.serviceNet.id,
        }),
        [],
      );
      if (st.service_pub_ip_info) {
        await assert.rejects(
          bed.neutron.floatingIps.get(st.service_pub_ip_info.ip_id),
          isNotFoundError,
        );
      }
      // Idempotent: a second finalize (crash after the release, before the finalizer went) is fine.
      await bed.handler.onFinalize(klb, bed.ctx);
      await bed.kube.delete(KINDS.kuryrLoadBalancer, name, bed.namespace);
    }
  });
});

/**
 * Puts an Octavia load balancer in a provisioning status through Octavia's own database, the only way
 * to make the no-op worker fail one (what a real amphora boot failure leaves behind).
 */
function setOctaviaStatus(lbId: string, status: string): void {
  const env = requireOctaviaOpenStackEnv();
  const conf = readFileSync(join(env.osDir, 'octavia', 'octavia.conf'), 'utf8');
  const m =
    /^connection\s*=\s*mysql\+pymysql:\/\/([^:]+):([^@]+)@[^/]+\/(\w+)\?unix_socket=([^&\s]+)/m.exec(
      conf,
    );
  if (!m) throw new Error(`no [database] connection in ${env.osDir}/octavia/octavia.conf`);
  const [, user, password, db, socket] = m;
  if (!/^[0-9a-f-]{36}$/.test(lbId) || !/^[A-Z_]+$/.test(status)) throw new Error('bad id/status');
  execFileSync(
    'mariadb',
    [
      `-S${socket}`,
      `-u${user}`,
      `-p${password}`,
      db!,
      '-e',
      `UPDATE load_balancer SET provisioning_status='${status}' WHERE id='${lbId}'`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 },
  );
}
