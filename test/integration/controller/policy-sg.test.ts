/**
 * Integration: NetworkPolicy rule computation + policy SG convergence against the REAL Neutron. A policy's
 * computed rules land on `sg/<ns>-<policy>` (no default egress rules left), a policy change adds/removes
 * exactly the changed rules (unchanged rule ids kept), an ipBlock with two excepts ends with the exact
 * set difference, and delete leaves nothing. Names carry this suite's `kq-` prefix.
 *
 * @module test/integration/controller/policy-sg.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { computePolicyRules } from '../../../src/controller/policy/rules.js';
import { PolicySgSync, ruleKey } from '../../../src/controller/policy/sg-sync.js';
import { snapshotResolver } from '../../../src/controller/policy/snapshot-resolver.js';
import type {
  NetworkPolicy,
  NetworkPolicySpec,
  PeerResolver,
} from '../../../src/controller/policy/types.js';
import type { SecurityGroupRule } from '../../../src/openstack/neutron/index.js';
import { openControllerBed, type ControllerBed } from './controller-bed.js';

/** The cluster the policy sees: a monitoring pod (dual stack) and the policy's own web pod. */
function clusterResolver(ns: string): PeerResolver {
  return snapshotResolver({
    namespaces: [{ name: 'mon', labels: { team: 'ops' } }, { name: ns }],
    pods: [
      { name: 'prom', namespace: 'mon', labels: { app: 'prom' }, ips: ['10.2.0.5', 'fd00:2::5'] },
      {
        name: 'web',
        namespace: ns,
        labels: { app: 'web' },
        ips: ['10.1.0.10'],
        containerPorts: [{ name: 'http', containerPort: 8080 }],
      },
    ],
  });
}

describe('policy SG convergence against the real Neutron', () => {
  let bed: ControllerBed;
  let sync: PolicySgSync;
  let ns: string;
  let sgId: string | undefined;

  function policy(spec: Partial<NetworkPolicySpec>): NetworkPolicy {
    return {
      metadata: { name: 'web', namespace: ns },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ...spec },
    };
  }
  /** The policy's rules as one list (ingress then egress), resolved with the web pod in `ns`. */
  function rulesOf(spec: Partial<NetworkPolicySpec>) {
    const r = computePolicyRules(policy(spec), clusterResolver(ns));
    return [...r.ingressSgRules, ...r.egressSgRules].map((x) => x.sgRule);
  }
  async function realRules(id: string): Promise<SecurityGroupRule[]> {
    return bed.neutron.securityGroupRules.listAll({ security_group_id: id });
  }

  const v1: Partial<NetworkPolicySpec> = {
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }],
        ports: [{ port: 'http' }],
      },
      {
        from: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.0/26', '10.0.0.128/26'] } }],
        ports: [{ port: 443 }],
      },
    ],
    egress: [
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { port: 30000, endPort: 30100 },
        ],
      },
    ],
  };
  const v2: Partial<NetworkPolicySpec> = {
    ...v1,
    egress: [
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'SCTP', port: 9999 },
        ],
      },
    ],
  };

  before(async () => {
    bed = await openControllerBed('kq-pol');
    ns = bed.prefix;
    sync = new PolicySgSync(bed.neutron, bed.log, { projectId: bed.projectId, timeoutMs: 30_000 });
  });

  after(async () => {
    if (sgId !== undefined) await sync.removeById(sgId);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('computed rules converge onto a fresh SG without Neutron default egress rules', async () => {
    const desired = rulesOf(v1);
    const status = await sync.ensure(ns, 'web', desired);
    sgId = status.securityGroupId;
    const sg = await bed.neutron.securityGroups.get(sgId);
    assert.equal(sg.name, `sg/${ns}-web`);
    assert.equal(sg.project_id, bed.projectId);
    const real = await realRules(sgId);
    assert.deepEqual(new Set(real.map(ruleKey)), new Set(desired.map(ruleKey)));
    assert.equal(real.length, desired.length);
    assert.deepEqual(
      new Set(status.securityGroupRules.map((r) => r.id)),
      new Set(real.map((r) => r.id)),
    );
    // named port 'http' resolved on the web pod (8080), from both prom addresses
    const http = real
      .filter((r) => r.port_range_min === 8080)
      .map((r) => r.remote_ip_prefix)
      .sort();
    assert.deepEqual(http, ['10.2.0.5/32', 'fd00:2::5/128']);
  });

  test('ipBlock with two excepts ends with the exact remote_ip_prefix set', async () => {
    assert.ok(sgId);
    const https = (await realRules(sgId)).filter((r) => r.port_range_min === 443);
    assert.deepEqual(https.map((r) => r.remote_ip_prefix).sort(), [
      '10.0.0.192/26',
      '10.0.0.64/26',
    ]);
  });

  test('a policy change adds/removes exactly the changed rules and keeps unchanged ids', async () => {
    assert.ok(sgId);
    const before = await realRules(sgId);
    const desired = rulesOf(v2);
    const wanted = new Set(desired.map(ruleKey));
    const status = await sync.ensure(ns, 'web', desired);
    assert.equal(status.securityGroupId, sgId);
    const after = await realRules(sgId);
    assert.deepEqual(new Set(after.map(ruleKey)), wanted);
    const kept = before.filter((r) => wanted.has(ruleKey(r)));
    const afterIds = new Set(after.map((r) => r.id));
    for (const r of kept) assert.ok(afterIds.has(r.id), `unchanged rule ${ruleKey(r)} kept its id`);
    const added = after.filter((r) => !before.some((b) => b.id === r.id));
    assert.deepEqual(added.map((r) => `${r.ethertype}/${r.protocol}/${r.port_range_min}`).sort(), [
      'IPv4/sctp/9999',
      'IPv6/sctp/9999',
    ]);
    assert.equal(before.length - kept.length, 2, 'the two tcp 30000-30100 rules were removed');

    // converging again is a no-op: same ids
    const again = await sync.ensure(ns, 'web', desired);
    assert.deepEqual(new Set(again.securityGroupRules.map((r) => r.id)), afterIds);
  });

  test('delete leaves nothing (and is idempotent)', async () => {
    assert.ok(sgId);
    assert.equal(await sync.remove(ns, 'web'), true);
    await assert.rejects(bed.neutron.securityGroups.get(sgId), isNotFoundError);
    assert.deepEqual(await realRules(sgId), []);
    assert.equal(await sync.remove(ns, 'web'), false);
    assert.equal(await sync.removeById(sgId), false);
    sgId = undefined;
  });
});
