/**
 * Shared proof for the host-binding e2e suites: two netns, one Neutron port each on the same network
 * (v4 + v6 subnets), bound by the registry's driver for the port under the real L2 agent; ports must go
 * ACTIVE, ping v4 and v6 both ways, re-bind idempotently, and unbind must leave nothing behind.
 */
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createBindingRegistry } from '../../../src/binding/registry.js';
import { NativeNetlink } from '../../../src/binding/netlink/native.js';
import { OvsdbClient } from '../../../src/binding/ovs/ovsdb-client.js';
import type { BindTarget, BindingDriverAlias } from '../../../src/binding/types.js';
import { hostVethName, linuxBridgeName } from '../../../src/common/naming.js';
import type { Port, Subnet } from '../../../src/openstack/neutron/types.js';
import { NeutronLite } from '../../helpers/neutron-lite.js';
import { addNetns, delNetns, linkNames, ping } from '../../helpers/netns.js';
import type { OpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

/** What the proof needs to know about the agent under test. */
export interface ProofOptions {
  env: OpenStackEnv;
  host: string;
  expectVifType: 'bridge' | 'ovs';
  /** Force a driver instead of the registry's choice (e.g. `ovs-hybrid` on an ovs port). */
  force?: BindingDriverAlias;
  /** v4 /24 third octet, unique per suite so parallel suites never overlap. */
  octet: number;
}

/** Cleanup stack filled while the proof runs (call `run()` in `after`). */
export class Cleanup {
  private readonly steps: (() => Promise<void> | void)[] = [];
  push(fn: () => Promise<void> | void): void {
    this.steps.push(fn);
  }
  async run(): Promise<void> {
    for (const s of this.steps.reverse()) await Promise.resolve(s()).catch(() => undefined);
  }
}

const targetFor = (port: Port, subnets: Subnet[], netns: string, mtu: number): BindTarget => ({
  port,
  netns,
  ifName: 'eth0',
  mtu,
  ip: {
    addresses: port.fixed_ips.map((f) => {
      const s = subnets.find((x) => x.id === f.subnet_id);
      return { cidr: `${f.ip_address}/${s?.cidr.split('/')[1] ?? '32'}` };
    }),
    routes: subnets.flatMap((s) =>
      s.gateway_ip ? [{ dst: s.ip_version === 4 ? '0.0.0.0/0' : '::/0', gw: s.gateway_ip }] : [],
    ),
  },
});

/** Runs the whole proof; throws (assert) on any failure. */
export async function runBindingProof(o: ProofOptions, cleanup: Cleanup): Promise<void> {
  const P = testPrefix('kn');
  const neutron = new NeutronLite(o.env);
  const nl = new NativeNetlink();
  const ovsdb = o.env.ovsdbSock ? new OvsdbClient(o.env.ovsdbSock) : undefined;
  cleanup.push(() => {
    nl.close();
    ovsdb?.close();
  });
  const registry = createBindingRegistry({
    netlink: nl,
    logger: pino({ level: 'silent' }),
    integrationBridge: o.env.ovsBridge,
    ...(ovsdb ? { ovsdb } : {}),
  });

  const net = await neutron.createNetwork(`${P}-net`);
  cleanup.push(() => neutron.delete('networks', net.id));
  const s4 = await neutron.createSubnet({
    network_id: net.id,
    cidr: `10.${o.octet}.7.0/24`,
    ip_version: 4,
    name: `${P}-v4`,
  });
  const s6 = await neutron.createSubnet({
    network_id: net.id,
    cidr: `fd${o.octet.toString(16).padStart(2, '0')}:7::/64`,
    ip_version: 6,
    name: `${P}-v6`,
  });
  const subnets = [s4, s6];
  const ends = ['a', 'b'].map((x) => ({
    name: `${P}-${x}`,
    netns: '',
    port: undefined as Port | undefined,
  }));
  for (const e of ends) {
    e.netns = addNetns(e.name);
    cleanup.push(() => delNetns(e.name));
    const p = await neutron.createPort({
      network_id: net.id,
      name: `${e.name}-port`,
      device_owner: 'compute:kuryr',
      device_id: `${e.name}-dev`,
      'binding:host_id': o.host,
      // NOTE: no port security, so the linuxbridge agent installs no ebtables ARP rules: with
      // ebtables-nft their removal can fail forever and wedge the agent for every user of the bed.
      port_security_enabled: false,
      security_groups: [],
    });
    cleanup.push(() => neutron.delete('ports', p.id));
    cleanup.push(() => nl.deleteLink(hostVethName(p.id)).then(() => undefined));
    assert.equal(
      p['binding:vif_type'],
      o.expectVifType,
      `port bound by host ${o.host}: ${p['binding:vif_type']}`,
    );
    e.port = p;
  }
  const mtu = net.mtu ?? 1500;
  const targets = ends.map((e) => targetFor(e.port as Port, subnets, e.netns, mtu));
  const driverOf = (t: BindTarget) =>
    o.force ? registry.driver(o.force) : registry.driverFor(t.port);
  for (const t of targets) await driverOf(t).bind(t);
  for (const t of targets) {
    assert.equal(
      await neutron.waitActive(t.port.id),
      'ACTIVE',
      `port ${t.port.id} did not go ACTIVE`,
    );
    assert.deepEqual(await driverOf(t).check(t), { ok: true, problems: [] });
  }
  const [ta, tb] = targets as [BindTarget, BindTarget];
  const ip = (t: BindTarget, v: 4 | 6) =>
    t.port.fixed_ips.find((f) => f.ip_address.includes(':') === (v === 6))?.ip_address ?? '';
  for (const v of [4, 6] as const) {
    assert.ok(ping(ends[0]!.name, ip(tb, v)), `ping v${v} a→b ${ip(tb, v)}`);
    assert.ok(ping(ends[1]!.name, ip(ta, v)), `ping v${v} b→a ${ip(ta, v)}`);
  }

  // binding again converges: same links, still checks ok, still pings
  // only our ports' devices: other suites change the root netns concurrently
  const ours = (): string[] =>
    linkNames()
      .filter((n) => targets.some((t) => n.endsWith(t.port.id.slice(0, 11))))
      .sort();
  const rootLinks = ours();
  for (const t of targets) await driverOf(t).bind(t);
  assert.deepEqual(ours(), rootLinks);
  assert.ok(ping(ends[0]!.name, ip(tb, 4)), 'ping after re-bind');

  for (const t of targets) {
    await driverOf(t).unbind(t);
    await driverOf(t).unbind(t); // idempotent
  }
  const leftovers = linkNames().filter((n) =>
    targets.some((t) => n.endsWith(t.port.id.slice(0, 11))),
  );
  assert.deepEqual(leftovers, [], 'no tap/qbr/qvb/qvo left in the root netns');
  for (const e of ends) assert.deepEqual(linkNames(e.name), ['lo'], `nothing left in ${e.name}`);
  if (o.expectVifType === 'bridge' && !o.force) {
    // The brq bridge belongs to the linuxbridge agent once it exists (as with kuryr-lib): the agent
    // removes it (with its vxlan-N) when the network goes. Prove nothing is left: delete the ports and
    // the network, then poll for the bridge to disappear.
    for (const t of targets) await neutron.delete('ports', t.port.id);
    await neutron.delete('networks', net.id);
    const brq = linuxBridgeName(net.id);
    const end = Date.now() + 30_000;
    while (linkNames().includes(brq) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 500));
    assert.ok(
      !linkNames().includes(brq),
      `bridge ${brq} left behind after unbind + network delete`,
    );
  }
  if (ovsdb) {
    for (const t of targets) {
      for (const prefix of ['tap', 'qvo']) {
        assert.equal(
          await ovsdb.getPort(`${prefix}${t.port.id.slice(0, 11)}`),
          undefined,
          'OVS port left',
        );
      }
    }
  }
}
