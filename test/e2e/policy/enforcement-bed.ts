/**
 * Shared plumbing for the security-group enforcement e2e tests: Neutron ports bound to the bed's
 * enforcing agent (the OVS agent, `firewall_driver = openvswitch`, see docs/test-bed.md) and
 * plugged into network namespaces by kuryr's own binding drivers, plus real-traffic probes
 * (ping, TCP through a tiny `node` listener) and a poller that waits for the agent to apply a
 * change. Root only.
 *
 * @module test/e2e/policy/enforcement-bed
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { createBindingRegistry } from '../../../src/binding/registry.js';
import { NativeNetlink } from '../../../src/binding/netlink/native.js';
import { OvsdbClient } from '../../../src/binding/ovs/ovsdb-client.js';
import type { BindTarget, BindingRegistry } from '../../../src/binding/types.js';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { hostVethName } from '../../../src/common/naming.js';
import type {
  Port,
  SecurityGroup,
  SecurityGroupRule,
} from '../../../src/openstack/neutron/types.js';
import { NeutronLite } from '../../helpers/neutron-lite.js';
import { addNetns, delNetns } from '../../helpers/netns.js';
import type { OpenStackEnv } from '../../helpers/openstack-env.js';

/** LIFO cleanup stack; every step runs even when an earlier one fails. */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  push(fn: () => unknown): void {
    this.steps.push(fn);
  }
  async run(): Promise<void> {
    for (const s of this.steps.reverse())
      await Promise.resolve()
        .then(s)
        .catch(() => undefined);
    this.steps.length = 0;
  }
}

/** A Neutron port plugged into its own netns. */
export interface Endpoint {
  /** netns name (also the port's name prefix). */
  ns: string;
  port: Port;
  /** first IPv4 address of the port. */
  ip: string;
}

/**
 * Polls `probe` until it returns `want` or `timeoutMs` passes. Returns how long it took (ms) so
 * tests can report the agent's latency; never asserts on time itself.
 */
export async function waitFor(
  what: string | (() => string),
  probe: () => boolean | Promise<boolean>,
  want: boolean,
  timeoutMs = 60_000,
): Promise<number> {
  const t0 = Date.now();
  let last: boolean | undefined;
  while (Date.now() - t0 < timeoutMs) {
    last = await probe();
    if (last === want) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
  }
  const name = typeof what === 'string' ? what : what();
  throw new Error(`${name}: still ${String(last)} after ${timeoutMs} ms (want ${String(want)})`);
}

/**
 * Runs `cmd` in netns `ns` without blocking the event loop (the NetworkPolicy test serves an
 * apiserver proxy from this process); resolves with the exit status (-1 when killed).
 */
export function nsRun(ns: string, cmd: string[], timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...cmd], {
      stdio: 'ignore',
      timeout: timeoutMs,
    });
    child.on('error', () => resolve(-1));
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

/** One ICMP echo from `ns` to `ip`, waiting at most 1 s. */
export async function pingOnce(ns: string, ip: string): Promise<boolean> {
  return (await nsRun(ns, ['ping', '-n', '-c', '1', '-W', '1', ip])) === 0;
}

// The client reads the whole reply: a connect alone could be answered by a stray RST-less
// middlebox; the listener's greeting proves the SYN reached the listener and came back.
const CLIENT = `const s=require('net').connect({host:process.argv[1],port:+process.argv[2]});
s.setTimeout(1000,()=>process.exit(2));let d='';s.on('data',c=>d+=c);
s.on('end',()=>process.exit(d==='ke2-ok'?0:3));s.on('error',()=>process.exit(1));`;
const SERVER = `const net=require('net');for(const p of process.argv.slice(1))
net.createServer(s=>s.end('ke2-ok')).listen(+p,'0.0.0.0',()=>console.log('listening '+p));`;

/** A new TCP connection from `ns` to `ip:port` gets the listener's greeting (1 s timeout). */
export async function tcpOnce(ns: string, ip: string, port: number): Promise<boolean> {
  return (await nsRun(ns, [process.execPath, '-e', CLIENT, ip, String(port)])) === 0;
}

/** Starts a `node` TCP listener on `ports` inside `ns`; resolves once all listen. */
export async function startListener(ns: string, ports: number[]): Promise<ChildProcess> {
  const child = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, '-e', SERVER, ...ports.map(String)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`listener in ${ns}: ${out}`)), 15_000);
    child.on('exit', (code) => reject(new Error(`listener in ${ns} exited ${code}: ${out}`)));
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (ports.every((p) => out.includes(`listening ${p}`))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  return child;
}

// ETHTOOL_STXCSUM through SIOCETHTOOL; ifreq = 16-byte name + pointer, padded to 40 bytes.
const TX_CSUM_OFF = `import ctypes, fcntl, socket, struct, sys
ev = ctypes.create_string_buffer(struct.pack('II', 0x17, 0))
ifr = struct.pack('16sP16x', sys.argv[1].encode(), ctypes.addressof(ev))
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)`;

/**
 * Turns off TX checksum offload of `ifName` inside `ns` (what `ethtool -K eth0 tx off` does).
 * WHY: the bed's OVS runs the userspace datapath, whose conntrack verifies L4 checksums; a veth
 * hands it TCP/UDP segments with the checksum still "partial" (left to the non-existent NIC), so
 * `ct()` marks them invalid and the firewall drops every TCP connection while ICMP (checksummed in
 * software) passes. The kernel datapath of a real deployment has no such problem.
 */
export function disableTxChecksum(ns: string, ifName: string): void {
  execFileSync('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', TX_CSUM_OFF, ifName]);
}

/** The real Neutron + binding drivers, bound to one agent host. */
export class EnforcementBed {
  readonly neutron: NeutronLite;
  private readonly netlink = new NativeNetlink();
  private readonly ovsdb: OvsdbClient;
  readonly bindings: BindingRegistry;

  constructor(
    readonly env: OpenStackEnv,
    readonly host: string,
    private readonly cleanup: Cleanup,
  ) {
    assert.equal(process.getuid?.(), 0, 'security-group enforcement e2e needs root');
    this.neutron = new NeutronLite(env);
    this.ovsdb = new OvsdbClient(env.ovsdbSock);
    this.bindings = createBindingRegistry({
      netlink: this.netlink,
      logger: pino({ level: 'silent' }),
      integrationBridge: env.ovsBridge,
      ovsdb: this.ovsdb,
    });
    cleanup.push(() => {
      this.netlink.close();
      this.ovsdb.close();
    });
  }

  /** Creates a security group (Neutron adds its default egress rules; no ingress rule). */
  async securityGroup(name: string): Promise<SecurityGroup> {
    const { security_group: sg } = await this.neutron.call<{ security_group: SecurityGroup }>(
      'POST',
      '/security-groups',
      { security_group: { name } },
    );
    this.cleanup.push(() => this.deleteIgnoringMissing(`/security-groups/${sg.id}`));
    return sg;
  }

  /** Adds an IPv4 ingress rule to `sgId`. */
  async allowIngress(
    sgId: string,
    rule: Partial<Pick<SecurityGroupRule, 'protocol' | 'port_range_min' | 'port_range_max'>> &
      Partial<Pick<SecurityGroupRule, 'remote_ip_prefix' | 'remote_group_id'>>,
  ): Promise<SecurityGroupRule> {
    const { security_group_rule: r } = await this.neutron.call<{
      security_group_rule: SecurityGroupRule;
    }>('POST', '/security-group-rules', {
      security_group_rule: {
        security_group_id: sgId,
        direction: 'ingress',
        ethertype: 'IPv4',
        ...rule,
      },
    });
    return r;
  }

  async deleteRule(id: string): Promise<void> {
    await this.deleteIgnoringMissing(`/security-group-rules/${id}`);
  }

  /** Ingress rules of a security group as Neutron now has them. */
  async ingressRules(sgId: string): Promise<SecurityGroupRule[]> {
    const { security_group_rules: rules } = await this.neutron.call<{
      security_group_rules: SecurityGroupRule[];
    }>('GET', `/security-group-rules?security_group_id=${sgId}&direction=ingress`);
    return rules;
  }

  private async deleteIgnoringMissing(path: string): Promise<void> {
    await this.neutron.call('DELETE', path).catch((err: unknown) => {
      if (!isNotFoundError(err)) throw err;
    });
  }

  /** A v4 network + subnet `cidr` (no DHCP, no gateway traffic needed). */
  async network(
    name: string,
    cidr: string,
  ): Promise<{ id: string; mtu: number; prefixLen: string }> {
    const net = await this.neutron.createNetwork(name);
    this.cleanup.push(() => this.neutron.delete('networks', net.id));
    await this.neutron.createSubnet({ network_id: net.id, cidr, ip_version: 4, name });
    return { id: net.id, mtu: net.mtu ?? 1500, prefixLen: cidr.split('/')[1] ?? '24' };
  }

  /**
   * Creates a port with port security and `securityGroups` on the enforcing host, binds it into
   * a fresh netns `ns` with the driver the port's vif_type selects, and waits for ACTIVE.
   */
  async endpoint(
    ns: string,
    net: { id: string; mtu: number; prefixLen: string },
    securityGroups: string[],
  ): Promise<Endpoint> {
    const port = await this.neutron.createPort({
      network_id: net.id,
      name: ns,
      device_owner: 'compute:kuryr',
      device_id: ns,
      'binding:host_id': this.host,
      port_security_enabled: true,
      security_groups: securityGroups,
    });
    this.cleanup.push(() => this.neutron.delete('ports', port.id));
    return this.plug(ns, port, net);
  }

  /**
   * Binds an existing port (e.g. one the kuryr controller made for a pod) into a fresh netns `ns`
   * with the driver its vif_type selects, turns off TX checksum offload there (see
   * {@link disableTxChecksum}) and waits for ACTIVE. Unbinding and the netns go on the cleanup stack.
   */
  async plug(ns: string, port: Port, net: { mtu: number; prefixLen: string }): Promise<Endpoint> {
    const netns = addNetns(ns);
    this.cleanup.push(() => delNetns(ns));
    // loopback up: the listener's self-check connects over it
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    this.cleanup.push(() => this.netlink.deleteLink(hostVethName(port.id)).catch(() => undefined));
    const ip = port.fixed_ips[0]?.ip_address ?? '';
    const target: BindTarget = {
      port,
      netns,
      ifName: 'eth0',
      mtu: net.mtu,
      ip: { addresses: [{ cidr: `${ip}/${net.prefixLen}` }], routes: [] },
    };
    const driver = this.bindings.driverFor(port);
    this.cleanup.push(() => driver.unbind(target));
    await driver.bind(target);
    disableTxChecksum(ns, 'eth0');
    assert.equal(await this.neutron.waitActive(port.id), 'ACTIVE', `port ${ns} not ACTIVE`);
    return { ns, port, ip };
  }

  /** Replaces the security groups of a port. */
  async setSecurityGroups(portId: string, securityGroups: string[]): Promise<void> {
    await this.neutron.call('PUT', `/ports/${portId}`, {
      port: { security_groups: securityGroups },
    });
  }
}

/** Stops a listener started by {@link startListener} (`ip netns exec` execs node: same PID). */
export function stopListener(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null) child.kill('SIGTERM');
}
