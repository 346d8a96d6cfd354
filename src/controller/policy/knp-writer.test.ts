import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { FINALIZER_NETWORKPOLICY } from '../../k8s/constants.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { ensureKnp, policyConcernsPod, resyncPolicies } from './knp-writer.js';
import type { ClusterSnapshot } from './snapshot-resolver.js';
import type { NetworkPolicy } from './types.js';

const log = pino({ level: 'silent' });
const np: NetworkPolicy = {
  metadata: { name: 'web', namespace: 'ns', uid: 'np-uid' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
  },
};
const cluster = (ips: string[]): ClusterSnapshot => ({
  namespaces: [{ name: 'ns' }],
  pods: ips.map((ip, i) => ({
    name: `c${i}`,
    namespace: 'ns',
    labels: { app: 'client' },
    ips: [ip],
  })),
});

test('creates the KuryrNetworkPolicy with finalizer, ownerRef, link and the computed spec', async () => {
  const kube = new FakeKube();
  assert.equal(await ensureKnp(kube, np, cluster(['10.0.0.5'])), 'created');
  const knp = await kube.get(KINDS.kuryrNetworkPolicy, 'web', 'ns');
  assert.deepEqual(knp.metadata?.finalizers, [FINALIZER_NETWORKPOLICY]);
  assert.equal(knp.metadata?.ownerReferences?.[0]?.uid, 'np-uid');
  assert.equal(
    knp.metadata?.annotations?.['networkPolicyLink'],
    '/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies/web',
  );
  assert.deepEqual(knp.spec.policyTypes, ['Ingress']);
  assert.deepEqual(
    knp.spec.ingressSgRules.map((r) => r.sgRule.remote_ip_prefix),
    ['10.0.0.5/32'],
  );
  assert.deepEqual(knp.status.securityGroupRules, []);
});

test('patches only when the rules moved', async () => {
  const kube = new FakeKube();
  await ensureKnp(kube, np, cluster(['10.0.0.5']));
  assert.equal(await ensureKnp(kube, np, cluster(['10.0.0.5'])), 'unchanged');
  assert.equal(await ensureKnp(kube, np, cluster(['10.0.0.6'])), 'updated');
  const knp = await kube.get(KINDS.kuryrNetworkPolicy, 'web', 'ns');
  assert.deepEqual(
    knp.spec.ingressSgRules.map((r) => r.sgRule.remote_ip_prefix),
    ['10.0.0.6/32'],
  );
});

test('re-sync: an invalid policy does not hold the others back', async () => {
  const kube = new FakeKube();
  kube.seed(KINDS.networkPolicy, np);
  kube.seed(KINDS.networkPolicy, {
    metadata: { name: 'bad', namespace: 'ns' },
    spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] },
  });
  assert.equal(await resyncPolicies(kube, cluster(['10.0.0.7']), log), 1);
  await kube.get(KINDS.kuryrNetworkPolicy, 'web', 'ns');
  assert.equal(await resyncPolicies(kube, cluster(['10.0.0.7']), log), 0);
});

test('policyConcernsPod: only policies whose selectors (or named egress ports) can see the pod', () => {
  const change = (namespace: string, labels: Record<string, string>, nsLabels = {}) => ({
    namespace,
    labelSets: [labels],
    namespaceLabels: nsLabels,
  });
  const byNs: NetworkPolicy = {
    metadata: { name: 'n', namespace: 'ns' },
    spec: {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }],
    },
  };
  const namedEgress: NetworkPolicy = {
    metadata: { name: 'e', namespace: 'ns' },
    spec: {
      podSelector: { matchLabels: { app: 'db' } },
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 'http' }] }],
    },
  };
  const cases: [NetworkPolicy, ReturnType<typeof change>, boolean][] = [
    [np, change('ns', { app: 'web' }), true], // selected by the policy
    [np, change('ns', { app: 'client' }), true], // selected by a peer
    [np, change('other', { app: 'client' }), false], // peer podSelector is namespace-local
    [np, change('ns', { app: 'db' }), false],
    [byNs, change('x', { app: 'any' }, { team: 'ops' }), true],
    [byNs, change('x', { app: 'any' }, { team: 'dev' }), false],
    [namedEgress, change('x', { app: 'any' }), true], // ipBlock + named port: resolves on every pod
  ];
  for (const [policy, pod, want] of cases) {
    assert.equal(
      policyConcernsPod(policy, pod),
      want,
      `${policy.metadata?.name} ${JSON.stringify(pod)}`,
    );
  }
  // old OR new labels count: a pod leaving a selector still concerns the policy
  assert.equal(
    policyConcernsPod(np, {
      namespace: 'ns',
      labelSets: [{ app: 'db' }, { app: 'client' }],
      namespaceLabels: {},
    }),
    true,
  );
});
