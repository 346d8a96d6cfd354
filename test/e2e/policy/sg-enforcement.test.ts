/**
 * Security groups are enforced on real traffic by the bed's enforcing agent (the OVS agent with
 * `firewall_driver = openvswitch`, host KURYR_OVS_BINDING_HOST; docs/test-bed.md).
 *
 * Three netns, one Neutron port each, bound by kuryr's `ovs` binding driver: a server `s` whose SG
 * has no ingress rule, and clients `a` (SG "peers") and `b` (SG "others"). For each kind of rule —
 * remote IP prefix, remote group, TCP port range — the test proves with ping / TCP connections:
 * blocked without the rule, exactly the matching traffic allowed once it is added, blocked again
 * once it is removed. The agent applies changes asynchronously, so every expectation is polled;
 * the latency is reported as a diagnostic, never asserted. Root only; fails without the OVS agent.
 *
 * @module test/e2e/policy/sg-enforcement.test
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { requireOvsOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import {
  Cleanup,
  EnforcementBed,
  type Endpoint,
  pingOnce,
  startListener,
  stopListener,
  tcpOnce,
  waitFor,
} from './enforcement-bed.js';

const P = testPrefix('ke2');
const cleanup = new Cleanup();
const IN_RANGE = 8080;
const OUT_OF_RANGE = 9090;

describe('security groups enforced on real traffic (OVS agent, openvswitch firewall)', () => {
  let bed: EnforcementBed;
  let s: Endpoint;
  let a: Endpoint;
  let b: Endpoint;
  let srvSg = '';
  let peersSg = '';
  let othersSg = '';
  let listener: ChildProcess | undefined;

  before(async () => {
    const env = requireOvsOpenStackEnv();
    bed = new EnforcementBed(env, env.ovsBindingHost, cleanup);
    const net = await bed.network(`${P}-net`, '10.215.9.0/24');
    srvSg = (await bed.securityGroup(`${P}-srv`)).id;
    peersSg = (await bed.securityGroup(`${P}-peers`)).id;
    othersSg = (await bed.securityGroup(`${P}-others`)).id;
    [s, a, b] = await Promise.all([
      bed.endpoint(`${P}-s`, net, [srvSg]),
      bed.endpoint(`${P}-a`, net, [peersSg]),
      bed.endpoint(`${P}-b`, net, [othersSg]),
    ]);
    listener = await startListener(s.ns, [IN_RANGE, OUT_OF_RANGE]);
    cleanup.push(() => stopListener(listener));
    // the listener really answers on both ports (loopback inside s never crosses the firewall)
    for (const port of [IN_RANGE, OUT_OF_RANGE]) assert.ok(await tcpOnce(s.ns, '127.0.0.1', port));
  });

  after(() => cleanup.run());

  test('the server SG has no ingress rule: nothing reaches it', async () => {
    assert.deepEqual(await bed.ingressRules(srvSg), []);
    assert.equal(await pingOnce(a.ns, s.ip), false, 'a → s ping must be dropped');
    assert.equal(await pingOnce(b.ns, s.ip), false, 'b → s ping must be dropped');
    assert.equal(await tcpOnce(a.ns, s.ip, IN_RANGE), false, 'a → s tcp must be dropped');
    // the clients' own SGs allow egress and ARP works: a and b are not cut off from L2 —
    // s (egress allowed) reaches neither of them either, since their SGs lack ingress rules
    assert.equal(await pingOnce(s.ns, a.ip), false, 's → a ping must be dropped by a’s SG');
  });

  test('remote IP prefix: ICMP from a/32 only, then blocked again', async (t) => {
    const rule = await bed.allowIngress(srvSg, {
      protocol: 'icmp',
      remote_ip_prefix: `${a.ip}/32`,
    });
    const on = await waitFor('a → s ping after the a/32 rule', () => pingOnce(a.ns, s.ip), true);
    assert.equal(await pingOnce(b.ns, s.ip), false, 'b is outside the prefix');
    assert.equal(await tcpOnce(a.ns, s.ip, IN_RANGE), false, 'the rule is ICMP only');
    await bed.deleteRule(rule.id);
    const off = await waitFor('a → s ping after removal', () => pingOnce(a.ns, s.ip), false);
    t.diagnostic(`agent latency: allow ${on} ms, block ${off} ms`);
  });

  test('remote group: ICMP from members of "peers" only, then blocked again', async (t) => {
    const rule = await bed.allowIngress(srvSg, { protocol: 'icmp', remote_group_id: peersSg });
    const on = await waitFor('a → s ping after the group rule', () => pingOnce(a.ns, s.ip), true);
    assert.equal(await pingOnce(b.ns, s.ip), false, 'b is not in "peers"');
    // membership is live: put b into "peers" too and it gets through, take it out and it does not
    await bed.setSecurityGroups(b.port.id, [peersSg]);
    const joined = await waitFor('b → s after joining peers', () => pingOnce(b.ns, s.ip), true);
    await bed.setSecurityGroups(b.port.id, [othersSg]);
    await waitFor('b → s after leaving peers', () => pingOnce(b.ns, s.ip), false);
    await bed.deleteRule(rule.id);
    const off = await waitFor('a → s ping after removal', () => pingOnce(a.ns, s.ip), false);
    t.diagnostic(`agent latency: allow ${on} ms, member join ${joined} ms, block ${off} ms`);
  });

  test('TCP port range 8000-8099 from b/32: exactly that port range and source', async (t) => {
    const rule = await bed.allowIngress(srvSg, {
      protocol: 'tcp',
      port_range_min: 8000,
      port_range_max: 8099,
      remote_ip_prefix: `${b.ip}/32`,
    });
    const on = await waitFor(
      'b → s:8080 after the rule',
      () => tcpOnce(b.ns, s.ip, IN_RANGE),
      true,
    );
    assert.equal(
      await tcpOnce(b.ns, s.ip, OUT_OF_RANGE),
      false,
      `${OUT_OF_RANGE} is outside the range`,
    );
    assert.equal(await tcpOnce(a.ns, s.ip, IN_RANGE), false, 'a is outside the prefix');
    assert.equal(await pingOnce(b.ns, s.ip), false, 'the rule is TCP only');
    await bed.deleteRule(rule.id);
    const off = await waitFor(
      'b → s:8080 after removal',
      () => tcpOnce(b.ns, s.ip, IN_RANGE),
      false,
    );
    t.diagnostic(`agent latency: allow ${on} ms, block ${off} ms`);
  });
});
