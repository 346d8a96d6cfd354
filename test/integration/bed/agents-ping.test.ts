/**
 * Both L2 agents of the bed really wire ports: for the linuxbridge host and the OVS host, two
 * ports bound there are plugged into two network namespaces (veth; host side on the `brq` bridge
 * resp. on `br-int` with the port id as iface-id), go ACTIVE, and ping each other.
 * Needs root (netns, veth, ovs-vsctl).
 *
 * @module test/integration/bed/agents-ping.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireOvsOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

const run = promisify(execFile);
const env = requireOvsOpenStackEnv();
const prefix = testPrefix('kb');
const cmdEnv = { ...process.env, OVS_RUNDIR: env.ovsRundir };

async function sh(cmd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args, { env: cmdEnv, timeout: 30_000 });
  return stdout;
}

interface Port {
  id: string;
  mac_address: string;
  status: string;
  fixed_ips: { ip_address: string }[];
  'binding:vif_type': string;
}

describe('L2 agents plug and forward (root)', () => {
  let token = '';
  let networkId = '';
  const cleanups: (() => Promise<unknown>)[] = [];

  async function neutron(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const res = await fetch(`${env.neutronUrl}/v2.0${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
      throw new Error(`${method} ${path}: ${res.status} ${text}`);
    }
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'this test needs root');
    const auth = await fetch(`${env.authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: {
                name: env.adminUser.username,
                domain: { name: env.userDomainName },
                password: env.adminUser.password,
              },
            },
          },
          scope: {
            project: { name: env.adminUser.projectName, domain: { name: env.projectDomainName } },
          },
        },
      }),
      signal: AbortSignal.timeout(60_000),
    });
    token = auth.headers.get('x-subject-token') ?? '';
    assert.ok(token, 'admin token');
    const net = await neutron('POST', '/networks', { network: { name: `${prefix}-net` } });
    networkId = (net.network as { id: string }).id;
    cleanups.push(() => neutron('DELETE', `/networks/${networkId}`));
    await neutron('POST', '/subnets', {
      subnet: { network_id: networkId, ip_version: 4, cidr: '10.96.78.0/24', enable_dhcp: false },
    });
  });

  after(async () => {
    for (const undo of cleanups.reverse()) await undo().catch(() => undefined);
  });

  async function plug(kind: 'bridge' | 'ovs', host: string, tag: string): Promise<Port> {
    const created = await neutron('POST', '/ports', {
      port: {
        network_id: networkId,
        name: `${prefix}-${tag}`,
        device_owner: 'kuryr:container',
        device_id: `${prefix}-${tag}`,
        'binding:host_id': host,
      },
    });
    const port = created.port as Port;
    cleanups.push(() => neutron('DELETE', `/ports/${port.id}`));
    assert.equal(port['binding:vif_type'], kind);
    const ns = `${prefix}-${tag}`;
    // linuxbridge finds the host side by name (tap + 11 chars of the port id); OVS by iface-id
    const hostIf = kind === 'bridge' ? `tap${port.id.slice(0, 11)}` : `kbo${port.id.slice(0, 11)}`;
    const ctrIf = `kb${tag}${port.id.slice(0, 8)}`;
    await sh('ip', 'netns', 'add', ns);
    cleanups.push(() => sh('ip', 'netns', 'del', ns));
    await sh('ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', ctrIf);
    cleanups.push(() => sh('ip', 'link', 'del', hostIf));
    await sh('ip', 'link', 'set', ctrIf, 'netns', ns);
    await sh('ip', '-n', ns, 'link', 'set', ctrIf, 'address', port.mac_address);
    await sh('ip', '-n', ns, 'addr', 'add', `${port.fixed_ips[0]?.ip_address}/24`, 'dev', ctrIf);
    await sh('ip', '-n', ns, 'link', 'set', ctrIf, 'up');
    if (kind === 'bridge') {
      const br = `brq${networkId.slice(0, 11)}`;
      await sh('ip', 'link', 'show', br).catch(async () => {
        await sh('ip', 'link', 'add', 'name', br, 'type', 'bridge');
        await sh('ip', 'link', 'set', br, 'up');
      });
      await sh('ip', 'link', 'set', hostIf, 'master', br);
    } else {
      await sh(
        'ovs-vsctl',
        '--',
        '--may-exist',
        'add-port',
        env.ovsBridge,
        hostIf,
        '--',
        'set',
        'Interface',
        hostIf,
        `external_ids:iface-id=${port.id}`,
        `external_ids:attached-mac=${port.mac_address}`,
        'external_ids:iface-status=active',
        `external_ids:vm-id=${ns}`,
      );
      cleanups.push(() => sh('ovs-vsctl', '--if-exists', 'del-port', env.ovsBridge, hostIf));
    }
    await sh('ip', 'link', 'set', hostIf, 'up');
    return port;
  }

  async function waitActive(ids: string[]): Promise<void> {
    for (let i = 0; i < 90; i++) {
      const states = await Promise.all(
        ids.map(async (id) => ((await neutron('GET', `/ports/${id}`)).port as Port).status),
      );
      if (states.every((s) => s === 'ACTIVE')) return;
      await sleep(1000);
    }
    assert.fail(`ports ${ids.join(', ')} never became ACTIVE`);
  }

  for (const kind of ['bridge', 'ovs'] as const) {
    test(`two ports on the ${kind} host go ACTIVE and ping`, async () => {
      const host = kind === 'bridge' ? env.bindingHost : env.ovsBindingHost;
      const a = await plug(kind, host, `${kind[0]}a`);
      const b = await plug(kind, host, `${kind[0]}b`);
      await waitActive([a.id, b.id]);
      const out = await sh(
        'ip',
        'netns',
        'exec',
        `${prefix}-${kind[0]}a`,
        'ping',
        '-c',
        '2',
        '-W',
        '2',
        b.fixed_ips[0]?.ip_address ?? '',
      );
      assert.match(out, / 0% packet loss/);
    });
  }

  test('the linuxbridge agent keeps wiring ports after a wired port is updated', async () => {
    // An update makes the agent re-install the port's MAC anti-spoofing rules, deleting the old
    // ones first: with Debian's ebtables-nft that delete used to fail and hang the agent for good.
    const a = await plug('bridge', env.bindingHost, 'ua');
    await waitActive([a.id]);
    await neutron('PUT', `/ports/${a.id}`, {
      port: { allowed_address_pairs: [{ ip_address: '10.96.78.250' }] },
    });
    await sleep(6000);
    const b = await plug('bridge', env.bindingHost, 'ub');
    await waitActive([b.id]);
    const rules = await sh('ebtables', '-t', 'nat', '-L', `neutronMAC-tap${a.id.slice(0, 11)}`);
    assert.equal(rules.split('--among-src').length - 1, 1, `one MAC rule left:\n${rules}`);
  });
});
