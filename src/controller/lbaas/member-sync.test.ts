/**
 * Unit tests of `[octavia_defaults] member_mode` end to end through the real KlbSync and Octavia driver
 * over FakeOctavia + FakeNeutron: L3 members on the service subnet, L2 members on the pod subnet their
 * address is in (pod subnets driver, then worker nodes subnets), an unknown address on the service subnet
 * with a warning, one subnets lookup per namespace per sync, and a mode change that replaces exactly the
 * members whose subnet changes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { NotReadyError } from '../../common/errors/index.js';
import type { KuryrLoadBalancer } from '../../k8s/crds/types.js';
import { NeutronClient } from '../../openstack/neutron/index.js';
import { OctaviaClient } from '../../openstack/octavia/index.js';
import { FakeNeutron } from '../../openstack/testing/fake-neutron.js';
import { FakeOctavia } from '../../openstack/testing/fake-octavia.js';
import { DefaultSubnetsDriver } from '../drivers/subnets/default.js';
import type { SubnetsDriver } from '../drivers/subnets/types.js';
import { FloatingIpDriver } from './floating-ip-driver.js';
import { KlbSync } from './klb-sync.js';
import { MemberSubnets, type MemberMode } from './member-subnets.js';
import { OctaviaLbaasDriver } from './octavia-driver.js';
import type { KlbStatus } from './types.js';

/** A silent logger that keeps its warnings. */
function recordingLog() {
  const warnings: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        warnings.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { log: pino({ level: 'warn' }, stream), warnings };
}

function world() {
  const octaviaFake = new FakeOctavia();
  const neutronFake = new FakeNeutron();
  let t = 0;
  const clock = { now: () => t, sleep: (ms: number) => ((t += ms), Promise.resolve()) };
  const octavia = new OctaviaClient(octaviaFake, { clock });
  const neutron = new NeutronClient(neutronFake);
  const subnetOn = (name: string, cidr: string) => {
    const net = neutronFake.seed('networks', { name });
    return neutronFake.seed('subnets', { network_id: net.id, cidr, ip_version: 4, name });
  };
  const svc = subnetOn('svc', '10.2.0.0/16');
  const pods = subnetOn('pods', '10.1.0.0/16');
  const workers = subnetOn('workers', '192.168.10.0/24');
  const lbaas = new OctaviaLbaasDriver(octavia, neutron, pino({ level: 'silent' }));
  const pubIp = new FloatingIpDriver(neutron, {});
  const { log, warnings } = recordingLog();
  const sync = (mode: MemberMode, podSubnets: SubnetsDriver | undefined) =>
    new KlbSync(
      lbaas,
      pubIp,
      {
        provider: 'default',
        enforceSgRules: false,
        timeoutClientData: 0,
        timeoutMemberData: 0,
        memberSubnets: new MemberSubnets(
          { mode, podSubnets, workerNodesSubnets: [workers.id], neutron },
          log,
        ),
      },
      log,
    );
  const podDriver = new DefaultSubnetsDriver(neutron, pods.id);
  let status: KlbStatus = {};
  const klb = (ips: string[]): KuryrLoadBalancer => ({
    apiVersion: 'openstack.org/v1',
    kind: 'KuryrLoadBalancer',
    metadata: { name: 'web', namespace: 'demo' },
    spec: {
      ip: '10.2.0.10',
      subnet_id: svc.id,
      project_id: 'p1',
      security_groups_ids: [],
      type: 'ClusterIP',
      provider: 'amphora',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }],
      endpointSlices: [
        {
          endpoints: ips.map((ip, i) => ({
            addresses: [ip],
            conditions: { ready: true },
            targetRef: { kind: 'Pod', name: `web-${i}`, namespace: 'demo' },
          })),
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    },
    status,
  });
  const run = async (s: KlbSync, ips: string[]) => {
    status = await s.sync(klb(ips), () => Promise.resolve());
    return status;
  };
  /** Octavia's members: address -> subnet_id. */
  const members = () =>
    Object.fromEntries(
      [...octaviaFake.members.values()].map((m) => [String(m['address']), m['subnet_id']]),
    );
  const dropMember = (ip: string) => {
    status = { ...status, members: (status.members ?? []).filter((m) => m.ip !== ip) };
  };
  return {
    octaviaFake,
    neutronFake,
    sync,
    podDriver,
    run,
    members,
    dropMember,
    svc,
    pods,
    workers,
    warnings,
  };
}

describe('member_mode', () => {
  test('L3 (default): every member on the service subnet, no subnet lookup at all', async () => {
    const w = world();
    const before = w.neutronFake.requests.length;
    const st = await w.run(w.sync('L3', w.podDriver), ['10.1.0.3', '10.1.0.4']);
    assert.deepEqual(w.members(), { '10.1.0.3': w.svc.id, '10.1.0.4': w.svc.id });
    assert.deepEqual(
      st.members!.map((m) => m.subnet_id),
      [w.svc.id, w.svc.id],
    );
    const subnetReads = w.neutronFake.requests
      .slice(before)
      .filter((r) => r.method === 'GET' && r.path.includes('/subnets/'));
    // Only the VIP port's own subnet read (vip-port.ts), none for members.
    assert.ok(!subnetReads.some((r) => r.path.endsWith(String(w.pods.id))), 'pod subnet not read');
  });

  test('L2: members carry the pod subnet, a host-network address the worker subnet', async () => {
    const w = world();
    const st = await w.run(w.sync('L2', w.podDriver), ['10.1.0.3', '10.1.7.9', '192.168.10.5']);
    assert.deepEqual(w.members(), {
      '10.1.0.3': w.pods.id,
      '10.1.7.9': w.pods.id,
      '192.168.10.5': w.workers.id,
    });
    assert.deepEqual(Object.fromEntries(st.members!.map((m) => [m.ip, m.subnet_id])), w.members());
    assert.equal(w.warnings.length, 0);
  });

  test('L2: an address in no known subnet falls back to the service subnet with a warning', async () => {
    const w = world();
    await w.run(w.sync('L2', w.podDriver), ['10.1.0.3', '172.16.0.9']);
    assert.deepEqual(w.members(), { '10.1.0.3': w.pods.id, '172.16.0.9': w.svc.id });
    const warn = w.warnings.find((x) => /no known pod or worker subnet/.test(String(x['msg'])));
    assert.deepEqual(warn?.['addresses'], ['172.16.0.9']);
  });

  test('L2: the subnets driver is asked once per namespace per sync, Neutron reads are cached', async () => {
    const w = world();
    let calls = 0;
    const counting: SubnetsDriver = {
      alias: 'counting',
      getSubnets: (t, o) => {
        calls++;
        return w.podDriver.getSubnets(t, o);
      },
    };
    const s = w.sync('L2', counting);
    const ips = Array.from({ length: 20 }, (_, i) => `10.1.0.${i + 10}`);
    await w.run(s, ips);
    assert.equal(calls, 1);
    const readsAfterFirst = w.neutronFake.requests.filter((r) => r.method === 'GET').length;
    const mutationsAfterFirst = w.octaviaFake.mutations().length;
    await w.run(s, ips);
    assert.equal(calls, 2);
    // Nothing changed: no Octavia write, no further Neutron subnet/network read.
    assert.equal(w.octaviaFake.mutations().length, mutationsAfterFirst);
    assert.equal(w.neutronFake.requests.filter((r) => r.method === 'GET').length, readsAfterFirst);
  });

  test('L2: a namespace without a network yet (NotReady) falls back instead of failing', async () => {
    const w = world();
    const notReady: SubnetsDriver = {
      alias: 'namespace',
      getSubnets: () => Promise.reject(new NotReadyError('namespace demo has no subnet yet')),
    };
    await w.run(w.sync('L2', notReady), ['10.1.0.3']);
    assert.deepEqual(w.members(), { '10.1.0.3': w.svc.id });
  });

  test('a member found again after a lost status write records its real subnet and is replaced next', async () => {
    const w = world();
    await w.run(w.sync('L3', w.podDriver), ['10.1.0.3', '10.1.0.4']);
    // The status lost one member (crash before its write); Octavia still has it on the service subnet.
    w.dropMember('10.1.0.4');
    const l2 = w.sync('L2', w.podDriver);
    const first = await w.run(l2, ['10.1.0.3', '10.1.0.4']);
    const found = first.members!.find((m) => m.ip === '10.1.0.4')!;
    assert.equal(found.subnet_id, w.svc.id, 'the 409-found member is recorded as it is');
    await w.run(l2, ['10.1.0.3', '10.1.0.4']);
    assert.deepEqual(w.members(), { '10.1.0.3': w.pods.id, '10.1.0.4': w.pods.id });
  });

  test('L3 -> L2 -> L3 converges, replacing only the members whose subnet changes', async () => {
    const w = world();
    const ips = ['10.1.0.3', '10.1.0.4', '172.16.0.9'];
    const l3 = await w.run(w.sync('L3', w.podDriver), ips);
    const idOf = (st: KlbStatus, ip: string) => st.members!.find((m) => m.ip === ip)!.id;
    const before = w.octaviaFake.mutations().length;

    const l2 = await w.run(w.sync('L2', w.podDriver), ips);
    assert.deepEqual(w.members(), {
      '10.1.0.3': w.pods.id,
      '10.1.0.4': w.pods.id,
      '172.16.0.9': w.svc.id,
    });
    // The unknown address stays on the service subnet: the same member, untouched.
    assert.equal(idOf(l2, '172.16.0.9'), idOf(l3, '172.16.0.9'));
    assert.notEqual(idOf(l2, '10.1.0.3'), idOf(l3, '10.1.0.3'));
    const writes = w.octaviaFake.mutations().slice(before);
    assert.equal(writes.filter((m) => m.startsWith('DELETE')).length, 2);
    assert.equal(writes.filter((m) => m.startsWith('POST')).length, 2);
    assert.equal(writes.length, 4);
    assert.equal(l2.members!.length, 3);

    // Nothing to do with the same mode.
    const settled = w.octaviaFake.mutations().length;
    await w.run(w.sync('L2', w.podDriver), ips);
    assert.equal(w.octaviaFake.mutations().length, settled);

    // Back to L3: the pod-subnet members move back to the service subnet.
    const back = await w.run(w.sync('L3', w.podDriver), ips);
    assert.deepEqual(w.members(), {
      '10.1.0.3': w.svc.id,
      '10.1.0.4': w.svc.id,
      '172.16.0.9': w.svc.id,
    });
    assert.equal(idOf(back, '172.16.0.9'), idOf(l3, '172.16.0.9'));
    assert.equal(back.members!.length, 3);
  });
});
