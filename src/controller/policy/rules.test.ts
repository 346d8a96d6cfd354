import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidationError } from '../../common/errors/index.js';
import type { KnpSgRule, SgRuleFields } from '../../k8s/crds/types.js';
import { POLICY_RULE_DESCRIPTION, computePolicyRules, effectivePolicyTypes } from './rules.js';
import { snapshotResolver, type ClusterSnapshot } from './snapshot-resolver.js';
import type { NetworkPolicy, NetworkPolicySpec } from './types.js';

const cluster: ClusterSnapshot = {
  namespaces: [
    { name: 'app', labels: { team: 'a' } },
    { name: 'mon', labels: { team: 'ops' } },
    { name: 'other', labels: { team: 'x' } },
  ],
  pods: [
    {
      name: 'web-1',
      namespace: 'app',
      labels: { app: 'web' },
      ips: ['10.1.0.10'],
      containerPorts: [
        { name: 'http', containerPort: 8080 },
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
      ],
    },
    {
      name: 'web-2',
      namespace: 'app',
      labels: { app: 'web' },
      ips: ['10.1.0.11'],
      containerPorts: [{ name: 'http', containerPort: 8081, protocol: 'TCP' }],
    },
    {
      name: 'db',
      namespace: 'app',
      labels: { app: 'db' },
      ips: ['10.1.0.20', 'fd00::20'],
      containerPorts: [{ name: 'sql', containerPort: 5432 }],
    },
    { name: 'pending', namespace: 'app', labels: { app: 'web' }, ips: [] },
    {
      name: 'prom',
      namespace: 'mon',
      labels: { app: 'prom' },
      ips: ['10.2.0.5'],
      containerPorts: [{ name: 'metrics', containerPort: 9090 }],
    },
    { name: 'web-x', namespace: 'other', labels: { app: 'web' }, ips: ['10.3.0.7'] },
  ],
};
const resolve = snapshotResolver(cluster);

function np(spec: Partial<NetworkPolicySpec>): NetworkPolicy {
  return {
    metadata: { name: 'p', namespace: 'app' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, ...spec },
  };
}

/** Expected rule: direction, ethertype, then the optional fields. */
function r(
  direction: string,
  ethertype: string,
  extra: Partial<SgRuleFields> = {},
  more: Omit<KnpSgRule, 'sgRule'> = {},
): KnpSgRule {
  return {
    sgRule: { description: POLICY_RULE_DESCRIPTION, direction, ethertype, ...extra },
    ...more,
  };
}
const tcp = (min: number, max = min) => ({
  protocol: 'tcp',
  port_range_min: min,
  port_range_max: max,
});
const allIn = [r('ingress', 'IPv4'), r('ingress', 'IPv6')];
const allOut = [r('egress', 'IPv4'), r('egress', 'IPv6')];

const cases: {
  name: string;
  spec: Partial<NetworkPolicySpec>;
  ingress: KnpSgRule[];
  egress: KnpSgRule[];
  types: string[];
}[] = [
  {
    name: 'no rules = deny all ingress',
    spec: {},
    ingress: [],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'empty rule = allow all from everywhere',
    spec: { ingress: [{}] },
    ingress: allIn,
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'Ingress+Egress with no rules = deny both',
    spec: { policyTypes: ['Ingress', 'Egress'] },
    ingress: [],
    egress: [],
    types: ['Ingress', 'Egress'],
  },
  {
    name: 'Egress only: ingress left open, egress implied from egress rules',
    spec: { egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }], policyTypes: ['Egress'] },
    ingress: allIn,
    egress: [
      r('egress', 'IPv4', { protocol: 'udp', port_range_min: 53, port_range_max: 53 }),
      r('egress', 'IPv6', { protocol: 'udp', port_range_min: 53, port_range_max: 53 }),
    ],
    types: ['Egress'],
  },
  {
    name: 'policyTypes implied: egress rules present ⇒ Ingress+Egress',
    spec: { egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/24' } }] }] },
    ingress: [],
    egress: [r('egress', 'IPv4', { remote_ip_prefix: '192.168.0.0/24' })],
    types: ['Ingress', 'Egress'],
  },
  {
    name: 'podSelector peer: pods of the policy namespace only, both families',
    spec: {
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 80 }] }],
    },
    ingress: [
      r('ingress', 'IPv4', { ...tcp(80), remote_ip_prefix: '10.1.0.20/32' }, { namespace: 'app' }),
      r('ingress', 'IPv6', { ...tcp(80), remote_ip_prefix: 'fd00::20/128' }, { namespace: 'app' }),
    ],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'namespaceSelector peer: every pod of the selected namespaces',
    spec: { ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }] },
    ingress: [r('ingress', 'IPv4', { remote_ip_prefix: '10.2.0.5/32' }, { namespace: 'mon' })],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'podSelector AND namespaceSelector in one peer',
    spec: {
      ingress: [
        {
          from: [
            {
              podSelector: { matchLabels: { app: 'web' } },
              namespaceSelector: {
                matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }],
              },
            },
          ],
        },
      ],
    },
    ingress: [r('ingress', 'IPv4', { remote_ip_prefix: '10.3.0.7/32' }, { namespace: 'other' })],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'ipBlock with two excepts is an exact set difference',
    spec: {
      ingress: [
        {
          from: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.0/26', '10.0.0.128/26'] } }],
          ports: [{ port: 443 }],
        },
      ],
    },
    ingress: [
      r('ingress', 'IPv4', { ...tcp(443), remote_ip_prefix: '10.0.0.64/26' }),
      r('ingress', 'IPv4', { ...tcp(443), remote_ip_prefix: '10.0.0.192/26' }),
    ],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'IPv6 ipBlock: ethertype from the family',
    spec: { ingress: [{ from: [{ ipBlock: { cidr: 'fd00:1::/64', except: ['fd00:1::/65'] } }] }] },
    ingress: [r('ingress', 'IPv6', { remote_ip_prefix: 'fd00:1:0:0:8000::/65' })],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'port range (endPort) and protocols TCP/UDP/SCTP',
    spec: {
      ingress: [
        {
          from: [{ ipBlock: { cidr: '10.9.0.0/16' } }],
          ports: [
            { port: 30000, endPort: 30100 },
            { protocol: 'UDP', port: 5000 },
            { protocol: 'SCTP' },
          ],
        },
      ],
    },
    ingress: [
      r('ingress', 'IPv4', { ...tcp(30000, 30100), remote_ip_prefix: '10.9.0.0/16' }),
      r('ingress', 'IPv4', {
        protocol: 'udp',
        port_range_min: 5000,
        port_range_max: 5000,
        remote_ip_prefix: '10.9.0.0/16',
      }),
      r('ingress', 'IPv4', { protocol: 'sctp', remote_ip_prefix: '10.9.0.0/16' }),
    ],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'ingress named port resolves on the policy pods (one rule per distinct number)',
    spec: {
      ingress: [{ from: [{ ipBlock: { cidr: '10.5.0.0/16' } }], ports: [{ port: 'http' }] }],
    },
    ingress: [
      r(
        'ingress',
        'IPv4',
        { ...tcp(8080), remote_ip_prefix: '10.5.0.0/16' },
        {
          affectedPods: [{ podIP: '10.1.0.10', podNamespace: 'app' }],
        },
      ),
      r(
        'ingress',
        'IPv4',
        { ...tcp(8081), remote_ip_prefix: '10.5.0.0/16' },
        {
          affectedPods: [{ podIP: '10.1.0.11', podNamespace: 'app' }],
        },
      ),
    ],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'named port respects the protocol (dns is UDP, asked as TCP ⇒ nothing)',
    spec: { ingress: [{ ports: [{ port: 'dns' }] }] },
    ingress: [],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'egress named port resolves on the destination pods, anywhere = every pod of that family',
    spec: { policyTypes: ['Egress'], egress: [{ ports: [{ port: 'sql' }] }] },
    ingress: allIn,
    egress: [
      r(
        'egress',
        'IPv4',
        { ...tcp(5432), remote_ip_prefix: '10.1.0.20/32' },
        {
          affectedPods: [{ podIP: '10.1.0.20', podNamespace: 'app' }],
          namespace: 'app',
        },
      ),
      r(
        'egress',
        'IPv6',
        { ...tcp(5432), remote_ip_prefix: 'fd00::20/128' },
        {
          affectedPods: [{ podIP: 'fd00::20', podNamespace: 'app' }],
          namespace: 'app',
        },
      ),
    ],
    types: ['Egress'],
  },
  {
    name: 'egress named port to a selected peer, duplicates merged',
    spec: {
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prom' } } }],
          ports: [{ port: 'metrics' }],
        },
        { to: [{ ipBlock: { cidr: '10.2.0.0/16' } }], ports: [{ port: 'metrics' }] },
      ],
    },
    ingress: allIn,
    egress: [
      r(
        'egress',
        'IPv4',
        { ...tcp(9090), remote_ip_prefix: '10.2.0.5/32' },
        {
          affectedPods: [{ podIP: '10.2.0.5', podNamespace: 'mon' }],
          namespace: 'mon',
        },
      ),
    ],
    types: ['Egress'],
  },
  {
    name: 'selector matching nothing allows nothing (not everything)',
    spec: { ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nope' } } }] }] },
    ingress: [],
    egress: allOut,
    types: ['Ingress'],
  },
  {
    name: 'peers are unioned, ports apply to each',
    spec: {
      ingress: [
        {
          from: [
            { ipBlock: { cidr: '10.7.0.0/24' } },
            { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] } },
          ],
          ports: [{ port: 22 }],
        },
      ],
    },
    ingress: [
      r('ingress', 'IPv4', { ...tcp(22), remote_ip_prefix: '10.7.0.0/24' }),
      r('ingress', 'IPv4', { ...tcp(22), remote_ip_prefix: '10.1.0.20/32' }, { namespace: 'app' }),
      r('ingress', 'IPv6', { ...tcp(22), remote_ip_prefix: 'fd00::20/128' }, { namespace: 'app' }),
    ],
    egress: allOut,
    types: ['Ingress'],
  },
];

describe('computePolicyRules', () => {
  for (const c of cases) {
    it(c.name, () => {
      const spec = computePolicyRules(np(c.spec), resolve);
      assert.deepEqual(spec.ingressSgRules, c.ingress);
      assert.deepEqual(spec.egressSgRules, c.egress);
      assert.deepEqual(spec.policyTypes, c.types);
      assert.deepEqual(spec.podSelector, { matchLabels: { app: 'web' } });
    });
  }

  it('is pure: same input, same output, input untouched', () => {
    const policy = np({
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
    });
    const before = structuredClone(policy);
    assert.deepEqual(computePolicyRules(policy, resolve), computePolicyRules(policy, resolve));
    assert.deepEqual(policy, before);
  });

  const bad: { name: string; spec: Partial<NetworkPolicySpec> }[] = [
    { name: 'unknown protocol', spec: { ingress: [{ ports: [{ protocol: 'ICMP', port: 1 }] }] } },
    { name: 'endPort below port', spec: { ingress: [{ ports: [{ port: 90, endPort: 80 }] }] } },
    { name: 'endPort without port', spec: { ingress: [{ ports: [{ endPort: 80 }] }] } },
    { name: 'port out of range', spec: { ingress: [{ ports: [{ port: 70000 }] }] } },
    { name: 'empty peer', spec: { ingress: [{ from: [{}] }] } },
    {
      name: 'ipBlock + selector',
      spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
    },
    { name: 'bad cidr', spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/40' } }] }] } },
  ];
  for (const b of bad) {
    it(`rejects ${b.name}`, () => {
      assert.throws(() => computePolicyRules(np(b.spec), resolve), isValidationError);
    });
  }

  it('rejects a policy without namespace', () => {
    assert.throws(
      () => computePolicyRules({ metadata: { name: 'x' }, spec: { podSelector: {} } }, resolve),
      isValidationError,
    );
  });

  it('effectivePolicyTypes: empty egress list does not imply Egress', () => {
    assert.deepEqual(effectivePolicyTypes(np({ egress: [] })), ['Ingress']);
  });
});
