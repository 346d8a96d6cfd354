/**
 * Integration: NetworkPolicies follow the cluster. Against the REAL kube-apiserver and Neutron with the
 * controller's handlers in-process (policy-world.ts), one scenario step by step, asserting at the Neutron
 * level after each step:
 * - pod label changes: remote rules follow a peer's labels; a pod that stops/starts matching a policy's
 *   podSelector loses/gets the policy SG on its port (back to the default SG when none selects it);
 * - pod creation and deletion: the rule for the pod's IP appears/disappears;
 * - a pod selected by two policies carries the union of their SGs;
 * - namespace label change: a namespaceSelector picks up the relabelled namespace's pods;
 * - policy deletion: the SG leaves the ports first (also a stray port no selector reaches), then
 *   Neutron; nothing is leaked.
 *
 * @module test/integration/policy/policy-dynamics.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import {
  closeWorld,
  deletePod,
  leakedPolicySgs,
  makeNamespace,
  makePod,
  openWorld,
  WAIT_MS,
  waitFor,
  type PolicyWorld,
  type WorldPod,
} from './policy-world.js';
import {
  expectPortSgs,
  expectRules as expectRulesOf,
  knpGone,
  policySgId,
  portSgs,
} from './policy-probes.js';

const EGRESS_ANY = ['egress IPv4 any all any', 'egress IPv6 any all any'];
const from = (...pods: WorldPod[]) => pods.map((p) => `ingress IPv4 any all ${p.ip}/32`);

describe('NetworkPolicy handlers follow pod and namespace changes', () => {
  let w: PolicyWorld;
  let nsA: string;
  let nsC: string;
  const p: Record<string, WorldPod> = {};
  let sg1 = '';
  let sg2 = '';

  const expectRules = (id: string, want: string[], what: string) =>
    expectRulesOf(w, id, want, what);
  const expectPort = (pod: WorldPod, sgs: string[], what: string) =>
    expectPortSgs(w, pod.portId, sgs, what);
  const policySg = (name: string) => policySgId(w, nsA, name);
  async function relabel(pod: WorldPod, labels: Record<string, string>): Promise<void> {
    await w.kube.patchMerge(KINDS.pod, pod.name, pod.namespace, { metadata: { labels } });
  }

  before(async () => {
    w = await openWorld('kd2-dyn', '10.242.62.0/24');
    nsA = await makeNamespace(w, 'a', { role: 'a' });
    const nsB = await makeNamespace(w, 'b', { role: 'b' });
    nsC = await makeNamespace(w, 'c', { role: 'c' });
    const made = [
      await makePod(w, nsA, 'web', { app: 'web' }),
      await makePod(w, nsA, 'c1', { app: 'client' }),
      await makePod(w, nsA, 'other', { app: 'other' }),
      await makePod(w, nsB, 'b1', { app: 'client' }),
      await makePod(w, nsC, 'c3', { app: 'client' }),
    ];
    for (const pod of made) p[pod.name] = pod;
  });

  after(async () => {
    await closeWorld(w);
  });

  test('policy selecting app=web, allowing app=client', async () => {
    await w.kube.create(KINDS.networkPolicy, {
      metadata: { name: 'p1', namespace: nsA },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      },
    });
    sg1 = await policySg('p1');
    await expectRules(sg1, [...from(p.c1!), ...EGRESS_ANY], 'p1 rules');
    await expectPort(p.web!, [sg1], 'web carries p1');
    await expectPort(p.other!, [w.defaultSg], 'other keeps the default SG');
  });

  test('a peer relabelled to app=client gets a rule', async () => {
    await relabel(p.other!, { app: 'client' });
    await expectRules(sg1, [...from(p.c1!, p.other!), ...EGRESS_ANY], 'rule for other');
    await expectPort(p.other!, [w.defaultSg], 'other still not selected');
  });

  test('a selected pod relabelled away falls back to the default SG; a pod relabelled in gets the SG', async () => {
    await relabel(p.web!, { app: 'web2' });
    await relabel(p.other!, { app: 'web' });
    await expectPort(p.web!, [w.defaultSg], 'web back to default');
    await expectPort(p.other!, [sg1], 'other now carries p1');
    await expectRules(sg1, [...from(p.c1!), ...EGRESS_ANY], 'other is no client any more');
  });

  test('pod creation adds its IP, pod deletion removes it', async () => {
    p.c2 = await makePod(w, nsA, 'c2', { app: 'client' });
    await expectRules(sg1, [...from(p.c1!, p.c2), ...EGRESS_ANY], 'rule for new pod c2');
    await deletePod(w, p.c1!);
    await expectRules(sg1, [...from(p.c2), ...EGRESS_ANY], 'rule for deleted c1 gone');
  });

  test('two policies select a pod: its port carries both SGs', async () => {
    await w.kube.create(KINDS.networkPolicy, {
      metadata: { name: 'p2', namespace: nsA },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { kd2: w.prefix, role: 'b' } } }] }],
      },
    });
    sg2 = await policySg('p2');
    await expectRules(sg2, [...from(p.b1!), ...EGRESS_ANY], 'p2 rules: namespace b');
    await expectPort(p.other!, [sg1, sg2], 'union of p1 and p2');
  });

  test('a namespace relabelled into a namespaceSelector brings its pods in', async () => {
    await w.kube.patchMerge(KINDS.namespace, nsC, undefined, {
      metadata: { labels: { kd2: w.prefix, role: 'b' } },
    });
    await expectRules(sg2, [...from(p.b1!, p.c3!), ...EGRESS_ANY], 'p2 rules: namespaces b and c');
  });

  test('policy deletion strips the SG from the ports before deleting it; nothing leaks', async () => {
    await w.kube.delete(KINDS.networkPolicy, 'p1', nsA);
    await expectPort(p.other!, [sg2], 'only p2 left');
    await waitFor(
      'p1 SG deleted',
      async () =>
        w.bed.neutron.securityGroups.get(sg1).then(
          () => false,
          (e: unknown) => isNotFoundError(e),
        ),
      WAIT_MS,
    );
    // A port no selector reaches still carries p2's SG (as after a relabel while the controller was
    // down): the finalizer must take it off that port too before Neutron lets it delete the SG.
    await w.bed.neutron.ports.update(p.web!.portId, { security_groups: [w.defaultSg, sg2] });
    await w.kube.delete(KINDS.networkPolicy, 'p2', nsA);
    await expectPort(p.other!, [w.defaultSg], 'back to the default SG');
    await waitFor(
      'no policy SG left',
      async () => (await leakedPolicySgs(w)).length === 0,
      WAIT_MS,
    );
    for (const name of ['p1', 'p2']) {
      await knpGone(
        w,
        nsA,
        name,
        `KuryrNetworkPolicy ${name} gone (finalizer released after the SG)`,
      );
    }
    for (const pod of [p.web!, p.other!, p.c2!, p.b1!, p.c3!]) {
      assert.deepEqual(await portSgs(w, pod.portId), [w.defaultSg], `${pod.name} on default`);
    }
  });
});
