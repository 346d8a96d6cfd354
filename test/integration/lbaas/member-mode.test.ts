/**
 * Integration: `[octavia_defaults] member_mode` against the REAL Octavia, Neutron and kube-apiserver.
 * A pod network + subnet distinct from the service subnet; endpoints with pod addresses in it plus one
 * address in no known subnet. The `kuryrloadbalancer` handler is built as the controller builds it
 * (`buildLbaasDeps` + the `default` pod subnets driver on `[neutron_defaults] pod_subnet`) once with
 * member_mode L3 and once with L2, and Octavia's own member records are asserted: L3 → every member on
 * the service subnet; L2 → the pod addresses on the pod subnet, the unknown one on the service subnet;
 * switching the mode back and forth replaces exactly the members whose subnet changes. A load balancer
 * created directly in L2 mode (fresh pool, batch member update) carries the pod subnet too.
 * Everything is named `kg2-mm-<hex>` and removed by recorded id in `after`.
 *
 * @module test/integration/lbaas/member-mode.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { loadConfig } from '../../../src/common/config/index.js';
import { DefaultSubnetsDriver } from '../../../src/controller/drivers/subnets/default.js';
import { KuryrLoadBalancerHandler } from '../../../src/controller/handlers/kuryrloadbalancer.js';
import { buildLbaasDeps } from '../../../src/controller/lbaas/build-lbaas.js';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { CRD_API_VERSION } from '../../../src/k8s/constants.js';
import type { KuryrLoadBalancer } from '../../../src/k8s/crds/types.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { Subnet } from '../../../src/openstack/neutron/index.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import { requireOctaviaOpenStackEnv } from '../../helpers/openstack-env.js';
import { waitFor } from '../k8s/kube-env.js';
import { WAIT, cleanupKlb, openLbaasBed, readKlb, type LbaasBed } from './lbaas-bed.js';

const SVC = '10.237.53';
const POD = '10.237.54';
/** In no subnet kuryr knows: L2 falls back to the service subnet. */
const STRANGER = '172.31.9.9';

describe('member_mode L2/L3 against the real Octavia, Neutron and kube-apiserver', () => {
  let bed: LbaasBed;
  let podSubnet: Subnet;
  const handlers = new Map<'L2' | 'L3', KuryrLoadBalancerHandler>();

  before(async () => {
    bed = await openLbaasBed('kg2-mm', `${SVC}.0/24`, '192.0.2.0/24');
    const podNet = await bed.neutron.networks.createTagged(
      { name: `${bed.prefix}-pods`, project_id: bed.projectId },
      [bed.prefix],
    );
    bed.cleanup.push(`network ${podNet.id}`, () => bed.neutron.networks.delete(podNet.id));
    podSubnet = await bed.neutron.subnets.create({
      network_id: podNet.id,
      ip_version: 4,
      cidr: `${POD}.0/24`,
      enable_dhcp: false,
      name: `${bed.prefix}-pods`,
      project_id: bed.projectId,
    });
    bed.cleanup.push(`subnet ${podSubnet.id}`, () => bed.neutron.subnets.delete(podSubnet.id));
    for (const mode of ['L2', 'L3'] as const) {
      const { config } = await loadConfig({
        env: {},
        defaultConfigFiles: [],
        defaultConfigDirs: [],
        overrides: {
          neutron_defaults: {
            project: bed.projectId,
            service_subnet: bed.serviceSubnet.id,
            pod_subnet: podSubnet.id,
            resource_tags: bed.prefix,
            lbaas_activation_timeout: WAIT.deadlineMs / 1000,
          },
          octavia_defaults: { member_mode: mode },
        },
      });
      const podSubnets = new DefaultSubnetsDriver(bed.neutron, config.neutronDefaults.podSubnet);
      const log = pino({ level: 'silent' });
      const d = buildLbaasDeps({
        neutron: bed.neutron,
        octavia: bed.octavia,
        config,
        log,
        podSubnets,
      });
      handlers.set(mode, new KuryrLoadBalancerHandler(d.sync, d.lbaas, d.pubIp));
    }
  });
  let controller: ControllerProcess | undefined;
  after(async () => {
    const code = await controller?.stop();
    if (code !== undefined && code !== 0 && code !== 'SIGTERM') {
      console.log(`# controller exited with ${String(code)}; tail:\n${controller!.log()}`);
    }
    await bed?.close();
  });

  async function createKlb(name: string, ip: string, ips: string[]): Promise<void> {
    await bed.kube.create(KINDS.kuryrLoadBalancer, {
      apiVersion: CRD_API_VERSION,
      kind: 'KuryrLoadBalancer',
      metadata: { name, namespace: bed.namespace },
      spec: {
        ip,
        subnet_id: bed.serviceSubnet.id,
        project_id: bed.projectId,
        security_groups_ids: [],
        type: 'ClusterIP',
        provider: 'amphora',
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }],
        endpointSlices: [
          {
            endpoints: ips.map((a, i) => ({
              addresses: [a],
              conditions: { ready: true },
              targetRef: { kind: 'Pod', name: `pod-${i}`, namespace: bed.namespace },
            })),
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          },
        ],
      },
    });
  }

  /** One handler run in `mode` on the current object; registers cleanup of what its status names. */
  async function run(name: string, mode: 'L2' | 'L3'): Promise<KuryrLoadBalancer> {
    await handlers.get(mode)!.onPresent((await readKlb(bed, name))!, bed.ctx);
    const klb = (await readKlb(bed, name))!;
    cleanupKlb(bed, klb);
    return klb;
  }

  /** Octavia's members of the load balancer's only pool: address → {id, subnet_id}. */
  async function octaviaMembers(klb: KuryrLoadBalancer) {
    const lbId = klb.status!.loadbalancer!.id;
    assert.equal((await bed.octavia.loadBalancers.get(lbId)).provisioning_status, 'ACTIVE');
    const pools = await bed.octavia.pools.listAll({ loadbalancer_id: lbId });
    assert.equal(pools.length, 1);
    const out: Record<string, { id: string; subnet: string | null | undefined }> = {};
    for (const m of await bed.octavia.members.listAll(pools[0]!.id)) {
      out[m.address] = { id: m.id, subnet: m.subnet_id };
    }
    return out;
  }

  const subnets = (ms: Record<string, { subnet: string | null | undefined }>) =>
    Object.fromEntries(Object.entries(ms).map(([a, m]) => [a, m.subnet]));

  test('L3 → every member on the service subnet; L2 → pod addresses on the pod subnet; and back', async () => {
    const ips = [`${POD}.11`, `${POD}.12`, STRANGER];
    await createKlb('mode', `${SVC}.10`, ips);

    const l3 = await run('mode', 'L3');
    const svc = bed.serviceSubnet.id;
    const pod = podSubnet.id;
    const m3 = await octaviaMembers(l3);
    assert.deepEqual(subnets(m3), { [`${POD}.11`]: svc, [`${POD}.12`]: svc, [STRANGER]: svc });
    assert.ok(l3.status!.members!.every((m) => m.subnet_id === svc));

    // The same cluster switched to L2: the pod members move, the stranger stays as it was.
    bed.octaviaHttp.reset();
    bed.neutronHttp.reset();
    const l2 = await run('mode', 'L2');
    console.log(
      `# L3 -> L2 switch (3 members, 2 moved): Neutron ${bed.neutronHttp.count} requests ` +
        `(pod subnet + network, read once), Octavia ${bed.octaviaHttp.count} ` +
        `(${bed.octaviaHttp.requests.filter((r) => !r.startsWith('GET')).length} writes)`,
    );
    const m2 = await octaviaMembers(l2);
    assert.deepEqual(subnets(m2), { [`${POD}.11`]: pod, [`${POD}.12`]: pod, [STRANGER]: svc });
    assert.equal(m2[STRANGER]!.id, m3[STRANGER]!.id, 'the unaffected member is untouched');
    assert.notEqual(m2[`${POD}.11`]!.id, m3[`${POD}.11`]!.id);
    const writes = bed.octaviaHttp.requests.filter((r) => !r.startsWith('GET'));
    assert.equal(writes.filter((r) => r.startsWith('DELETE')).length, 2, writes.join('\n'));
    assert.equal(writes.filter((r) => r.startsWith('POST')).length, 2, writes.join('\n'));
    assert.deepEqual(
      Object.fromEntries(l2.status!.members!.map((m) => [m.ip, m.subnet_id])),
      subnets(m2),
    );

    // Settled: another L2 run writes nothing, and the cached pod subnet costs no Neutron request.
    bed.octaviaHttp.reset();
    bed.neutronHttp.reset();
    await run('mode', 'L2');
    assert.deepEqual(
      bed.octaviaHttp.requests.filter((r) => !r.startsWith('GET')),
      [],
    );
    assert.deepEqual(bed.neutronHttp.requests, []);

    // Back to L3.
    const back = await run('mode', 'L3');
    const mb = await octaviaMembers(back);
    assert.deepEqual(subnets(mb), { [`${POD}.11`]: svc, [`${POD}.12`]: svc, [STRANGER]: svc });
    assert.equal(mb[STRANGER]!.id, m3[STRANGER]!.id);
  });

  test('a load balancer created in L2 mode: its fresh pool is filled on the pod subnet', async () => {
    await createKlb('fresh', `${SVC}.11`, [`${POD}.21`, `${POD}.22`]);
    const klb = await run('fresh', 'L2');
    const ms = await octaviaMembers(klb);
    assert.deepEqual(subnets(ms), { [`${POD}.21`]: podSubnet.id, [`${POD}.22`]: podSubnet.id });
    const lb = await bed.octavia.loadBalancers.get(klb.status!.loadbalancer!.id);
    assert.equal(lb.vip_subnet_id, bed.serviceSubnet.id, 'the VIP stays on the service subnet');
  });

  test('the real kuryr controller with member_mode = L2 (kuryr.conf via OS_OCTAVIA_DEFAULTS__MEMBER_MODE) puts members on the pod subnet', async () => {
    // The KLBs of the cases above have no finalizer (no pipeline ran): drop them so the controller
    // (watching this namespace) handles only its own.
    for (const name of ['mode', 'fresh']) {
      await bed.kube.delete(KINDS.kuryrLoadBalancer, name, bed.namespace).catch((e: unknown) => {
        if (!isNotFoundError(e)) throw e;
      });
    }
    const sg = await bed.neutron.securityGroups.create({
      name: `${bed.prefix}-sg`,
      project_id: bed.projectId,
    });
    bed.cleanup.push(`security group ${sg.id}`, () => bed.neutron.securityGroups.delete(sg.id));
    controller = startController(requireOctaviaOpenStackEnv(), {
      projectId: bed.projectId,
      podSubnetId: podSubnet.id,
      podSecurityGroupIds: [sg.id],
      resourceTags: [bed.prefix],
      enabledHandlers: 'kuryrloadbalancer',
      services: { subnetId: bed.serviceSubnet.id },
      watchNamespace: bed.namespace,
      env: { OS_OCTAVIA_DEFAULTS__MEMBER_MODE: 'L2' },
    });
    await createKlb('ctl', `${SVC}.12`, [`${POD}.31`, STRANGER]);
    const klb = await waitFor(
      'the controller to record 2 members',
      async () => {
        if (controller?.child.exitCode !== null) {
          throw new Error(`the controller exited: ${controller?.log()}`);
        }
        const k = await readKlb(bed, 'ctl');
        if (k) cleanupKlb(bed, k);
        return (k?.status?.members ?? []).length === 2 ? k : undefined;
      },
      240_000,
    );
    const ms = await octaviaMembers(klb);
    assert.deepEqual(subnets(ms), {
      [`${POD}.31`]: podSubnet.id,
      [STRANGER]: bed.serviceSubnet.id,
    });

    // Deleting the KLB while the controller runs releases the load balancer (finalizer).
    const lbId = klb.status!.loadbalancer!.id;
    await bed.kube.delete(KINDS.kuryrLoadBalancer, 'ctl', bed.namespace);
    await waitFor(
      'the KuryrLoadBalancer to go',
      async () => ((await readKlb(bed, 'ctl')) === undefined ? true : undefined),
      240_000,
    );
    await assert.rejects(bed.octavia.loadBalancers.get(lbId), (e: Error) => isNotFoundError(e));
  });
});
