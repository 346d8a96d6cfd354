/**
 * Integration, table-driven, modelled on the upstream Kubernetes NetworkPolicy e2e cases: for each case a
 * real NetworkPolicy is created on the REAL kube-apiserver, the controller's handlers (in-process, real
 * pipeline) turn it into a KuryrNetworkPolicy and ONE real Neutron SG, and the test asserts at the
 * Neutron level: the exact rules of that SG, the SGs on the Neutron port of every pod (selected pods
 * carry the policy SG, the others the default SG), and after the policy is deleted: the ports are back to
 * the default SG, the SG and the KuryrNetworkPolicy are gone.
 *
 * World: namespace A (`role=a`): web (app=web, containerPorts http 8080/TCP, dns 53/UDP), client
 * (app=client); namespace B (`role=b`): client (app=client), db (app=db). Pods are real Neutron ports on
 * the bed's host; their IPs are written into status.podIP by the test (no kubelet).
 *
 * @module test/integration/policy/policy-cases.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { NetworkPolicySpec } from '../../../src/controller/policy/types.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import {
  closeWorld,
  leakedPolicySgs,
  makeNamespace,
  makePod,
  openWorld,
  type PolicyWorld,
  type WorldPod,
} from './policy-world.js';
import { expectPortSgs, expectRules, knpGone, policySgId, portSgs } from './policy-probes.js';

/** The pods by short name (`a/web`, `b/db` …). */
type Pods = Record<string, WorldPod>;

interface Case {
  name: string;
  /** The policy lives in namespace A. */
  spec: (nsLabel: (role: string) => Record<string, string>) => NetworkPolicySpec;
  /** Pods (of A) the policy selects. */
  selects: string[];
  /** The exact rules of the policy SG (`stored`: the policy as the API server kept it). */
  rules: (pods: Pods, stored: NetworkPolicySpec) => string[];
}

const ALLOW_ALL_EGRESS = ['egress IPv4 any all any', 'egress IPv6 any all any'];
const ALLOW_ALL_INGRESS = ['ingress IPv4 any all any', 'ingress IPv6 any all any'];
const ip32 = (p: WorldPod | undefined) => `${p?.ip ?? '?'}/32`;

const CASES: Case[] = [
  {
    name: 'deny all ingress (empty podSelector, policyTypes [Ingress], no rules)',
    spec: () => ({ podSelector: {}, policyTypes: ['Ingress'] }),
    selects: ['a/web', 'a/client'],
    rules: () => ALLOW_ALL_EGRESS,
  },
  {
    name: 'allow ingress from same-namespace pods by label (policyTypes implied: Ingress)',
    spec: () => ({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
    }),
    selects: ['a/web'],
    rules: (p) => [`ingress IPv4 any all ${ip32(p['a/client'])}`, ...ALLOW_ALL_EGRESS],
  },
  {
    name: 'allow ingress from a namespace by label',
    spec: (ns) => ({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: ns('b') } }] }],
    }),
    selects: ['a/web'],
    rules: (p) => [
      `ingress IPv4 any all ${ip32(p['b/client'])}`,
      `ingress IPv4 any all ${ip32(p['b/db'])}`,
      ...ALLOW_ALL_EGRESS,
    ],
  },
  {
    name: 'podSelector AND namespaceSelector in one peer',
    spec: (ns) => ({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: ns('b') },
              podSelector: {
                matchExpressions: [{ key: 'app', operator: 'In', values: ['client'] }],
              },
            },
          ],
        },
      ],
    }),
    selects: ['a/web'],
    rules: (p) => [`ingress IPv4 any all ${ip32(p['b/client'])}`, ...ALLOW_ALL_EGRESS],
  },
  {
    name: 'ipBlock with several excepts (exact set difference) on TCP 443',
    spec: () => ({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        {
          from: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.0/26', '10.0.0.128/26'] } }],
          ports: [{ protocol: 'TCP', port: 443 }],
        },
      ],
    }),
    selects: ['a/web'],
    rules: () => [
      'ingress IPv4 tcp 443-443 10.0.0.192/26',
      'ingress IPv4 tcp 443-443 10.0.0.64/26',
      ...ALLOW_ALL_EGRESS,
    ],
  },
  {
    name: 'named port resolved from the selected pod containerPorts (http → 8080/TCP, dns → 53/UDP)',
    spec: () => ({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ ports: [{ port: 'http' }, { protocol: 'UDP', port: 'dns' }] }],
    }),
    selects: ['a/web'],
    rules: () => [
      'ingress IPv4 tcp 8080-8080 any',
      'ingress IPv4 udp 53-53 any',
      'ingress IPv6 tcp 8080-8080 any',
      'ingress IPv6 udp 53-53 any',
      ...ALLOW_ALL_EGRESS,
    ],
  },
  {
    // kube-apiserver < 1.22 (the bed runs 1.20) does not know `endPort` and prunes it: the stored
    // policy then means port 30000 only, and so must the SG. The range itself is unit-tested.
    name: 'endPort range (as the API server stored it)',
    spec: () => ({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ ports: [{ protocol: 'TCP', port: 30000, endPort: 30100 }] }],
    }),
    selects: ['a/web'],
    rules: (_p, stored) => {
      const end = stored.ingress?.[0]?.ports?.[0]?.endPort ?? 30000;
      return [
        `ingress IPv4 tcp 30000-${end} any`,
        `ingress IPv6 tcp 30000-${end} any`,
        ...ALLOW_ALL_EGRESS,
      ];
    },
  },
  {
    name: 'TCP, UDP and SCTP ports from same-namespace clients',
    spec: () => ({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'client' } } }],
          ports: [
            { protocol: 'TCP', port: 80 },
            { protocol: 'UDP', port: 53 },
            { protocol: 'SCTP', port: 9000 },
          ],
        },
      ],
    }),
    selects: ['a/web'],
    rules: (p) => [
      `ingress IPv4 sctp 9000-9000 ${ip32(p['a/client'])}`,
      `ingress IPv4 tcp 80-80 ${ip32(p['a/client'])}`,
      `ingress IPv4 udp 53-53 ${ip32(p['a/client'])}`,
      ...ALLOW_ALL_EGRESS,
    ],
  },
  {
    name: 'egress policy: clients may only reach web on its named port (policyTypes [Egress])',
    spec: () => ({
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] },
      ],
    }),
    selects: ['a/client'],
    rules: (p) => [`egress IPv4 tcp 8080-8080 ${ip32(p['a/web'])}`, ...ALLOW_ALL_INGRESS],
  },
  {
    name: 'policyTypes implied from an egress rule: ingress AND egress isolated',
    spec: (ns) => ({
      podSelector: { matchLabels: { app: 'client' } },
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: ns('b') },
              podSelector: { matchLabels: { app: 'db' } },
            },
          ],
        },
      ],
    }),
    selects: ['a/client'],
    rules: (p) => [`egress IPv4 any all ${ip32(p['b/db'])}`],
  },
  {
    name: 'IPv6 ipBlock with an except',
    spec: () => ({
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ ipBlock: { cidr: 'fd00:10::/126', except: ['fd00:10::/128'] } }] }],
    }),
    selects: ['a/web'],
    rules: () => [
      'ingress IPv6 any all fd00:10::1/128',
      'ingress IPv6 any all fd00:10::2/127',
      ...ALLOW_ALL_EGRESS,
    ],
  },
];

describe('NetworkPolicy → Neutron SG rules on pod ports (upstream e2e cases)', () => {
  let w: PolicyWorld;
  let nsA: string;
  const pods: Pods = {};
  const nsLabel = (role: string) => ({ kd2: w.prefix, role });

  before(async () => {
    w = await openWorld('kd2-np', '10.242.61.0/24');
    nsA = await makeNamespace(w, 'a', { role: 'a' });
    const nsB = await makeNamespace(w, 'b', { role: 'b' });
    const made = await Promise.all([
      makePod(w, nsA, 'web', { app: 'web' }, [
        { name: 'http', containerPort: 8080 },
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
      ]),
      makePod(w, nsA, 'client', { app: 'client' }),
      makePod(w, nsB, 'client', { app: 'client' }),
      makePod(w, nsB, 'db', { app: 'db' }),
    ]);
    for (const p of made) pods[`${p.namespace === nsA ? 'a' : 'b'}/${p.name}`] = p;
  });

  after(async () => {
    await closeWorld(w);
  });

  test('pods no policy selects carry the default SG', async () => {
    for (const p of Object.values(pods))
      assert.deepEqual(await portSgs(w, p.portId), [w.defaultSg]);
  });

  for (const [i, c] of CASES.entries()) {
    test(c.name, async () => {
      const name = `case-${i}`;
      const stored = await w.kube.create(KINDS.networkPolicy, {
        metadata: { name, namespace: nsA },
        spec: c.spec(nsLabel),
      });
      try {
        await checkCase(c, name, stored['spec'] as NetworkPolicySpec);
      } finally {
        // A failed case must not leave its SG behind for the next one (the bed's SG quota is small).
        await w.kube.delete(KINDS.networkPolicy, name, nsA).catch(() => undefined);
        await knpGone(w, nsA, name, `${name}: cleanup`).catch(() => undefined);
      }
    });
  }

  async function checkCase(c: Case, name: string, stored: NetworkPolicySpec): Promise<void> {
    const want = c.rules(pods, stored);
    // KuryrNetworkPolicy → SG id in its status, and the SG holds exactly the rules.
    const sgId = await policySgId(w, nsA, name);
    await expectRules(w, sgId, want, `${name}: SG rules`);
    const sg = await w.bed.neutron.securityGroups.get(sgId);
    assert.equal(sg.name, `sg/${nsA}-${name}`);
    const knp = await w.kube.get(KINDS.kuryrNetworkPolicy, name, nsA);
    assert.equal(knp.status.securityGroupRules.length, want.length, 'status lists every rule');
    assert.deepEqual(knp.metadata?.finalizers, ['kuryr.openstack.org/networkpolicy-finalizer']);
    // Selected pods carry the policy SG only; every other pod the default SG.
    for (const [key, p] of Object.entries(pods)) {
      const expect = c.selects.includes(key) ? [sgId] : [w.defaultSg];
      await expectPortSgs(w, p.portId, expect, `${name}: SGs on the port of ${key}`);
    }
    // Deletion: ports back to the default SG, the SG and the KuryrNetworkPolicy gone.
    await w.kube.delete(KINDS.networkPolicy, name, nsA);
    await knpGone(w, nsA, name, `${name}: KuryrNetworkPolicy gone`);
    await assert.rejects(w.bed.neutron.securityGroups.get(sgId), (e: unknown) =>
      isNotFoundError(e),
    );
    for (const [key, p] of Object.entries(pods)) {
      assert.deepEqual(await portSgs(w, p.portId), [w.defaultSg], `${key} back to default`);
    }
    assert.deepEqual(await leakedPolicySgs(w), [], 'no policy SG left');
  }
});
