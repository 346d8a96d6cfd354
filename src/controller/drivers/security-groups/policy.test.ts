import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../../../common/errors/index.js';
import type { KuryrNetworkPolicy } from '../../../k8s/crds/types.js';
import { PolicySecurityGroupsDriver, selectingPolicySgs } from './policy.js';

function knp(
  name: string,
  podSelector: Record<string, unknown>,
  sg?: string,
  deleting = false,
): KuryrNetworkPolicy {
  return {
    metadata: { name, namespace: 'ns', ...(deleting ? { deletionTimestamp: 'now' } : {}) },
    spec: { ingressSgRules: [], egressSgRules: [], podSelector, policyTypes: ['Ingress'] },
    status: { securityGroupRules: [], ...(sg ? { securityGroupId: sg } : {}) },
  };
}

const POLICIES = [
  knp('web', { matchLabels: { app: 'web' } }, 'sg-web'),
  knp('all', {}, 'sg-all'),
  knp('tier', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, 'sg-t'),
  knp('pending', { matchLabels: { app: 'web' } }),
  knp('going', { matchLabels: { app: 'web' } }, 'sg-going', true),
];

test('union of the SGs of the live policies that select the pod, sorted', () => {
  const cases: [Record<string, string> | undefined, string[]][] = [
    [{ app: 'web' }, ['sg-all', 'sg-web']],
    [{ app: 'web', tier: 'b' }, ['sg-all', 'sg-t', 'sg-web']],
    [{ app: 'db' }, ['sg-all']],
    [undefined, ['sg-all']],
  ];
  for (const [labels, want] of cases) assert.deepEqual(selectingPolicySgs(POLICIES, labels), want);
});

test('a pod no policy selects gets the configured defaults', async () => {
  const d = new PolicySecurityGroupsDriver(
    async (ns) => {
      assert.equal(ns, 'ns');
      return [knp('web', { matchLabels: { app: 'web' } }, 'sg-web')];
    },
    ['sg-default'],
  );
  assert.deepEqual(
    await d.getSecurityGroups({ namespace: 'ns', name: 'p', labels: { app: 'db' } }),
    ['sg-default'],
  );
  assert.deepEqual(
    await d.getSecurityGroups({ namespace: 'ns', name: 'p', labels: { app: 'web' } }),
    ['sg-web'],
  );
});

test('empty default list and a missing lookup are configuration errors', () => {
  assert.throws(() => new PolicySecurityGroupsDriver(async () => [], []), ConfigurationError);
  assert.throws(
    () =>
      PolicySecurityGroupsDriver.fromDeps({
        config: { neutronDefaults: { podSecurityGroups: ['x'] } },
      } as never),
    /needs the Kubernetes controller/,
  );
});
