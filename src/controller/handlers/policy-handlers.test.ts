import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import {
  ANNOTATION_POD_IP,
  ANNOTATION_POD_LABEL,
  FINALIZER_NETWORKPOLICY,
} from '../../k8s/constants.js';
import { EventRecorder } from '../../k8s/events.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { HandlerContext } from '../pipeline/types.js';
import { PodSgApplier } from '../policy/pod-sgs.js';
import { PodLabelHandler } from './pod-label.js';
import { DRIVER_HANDLERS, type DriverHandlersDeps } from './registry.js';
import { PolicyHandler } from './policy.js';

const log = pino({ level: 'silent' });
function ctx(kube: FakeKube): HandlerContext {
  return {
    api: kube,
    events: new EventRecorder(kube, { log, enabled: false }),
    log,
    signal: new AbortController().signal,
  };
}
const np = {
  metadata: { name: 'web', namespace: 'ns', uid: 'np-1' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
  },
};

test('policy: writes the KuryrNetworkPolicy; finalize deletes it (NotFound = done)', async () => {
  const kube = new FakeKube();
  kube.seed(KINDS.namespace, { metadata: { name: 'ns' } });
  kube.seed(KINDS.pod, {
    metadata: { name: 'c', namespace: 'ns', labels: { app: 'client' } },
    status: { podIP: '10.0.0.9' },
  });
  const h = new PolicyHandler();
  assert.equal(h.finalizer, FINALIZER_NETWORKPOLICY);
  await h.onPresent(np, ctx(kube));
  const knp = await kube.get(KINDS.kuryrNetworkPolicy, 'web', 'ns');
  assert.equal(knp.spec.ingressSgRules[0]?.sgRule.remote_ip_prefix, '10.0.0.9/32');
  await h.onFinalize(np, ctx(kube));
  await h.onFinalize(np, ctx(kube));
  await assert.rejects(kube.get(KINDS.kuryrNetworkPolicy, 'web', 'ns'));
});

test('pod_label: re-syncs policies and records labels/IP; an unchanged pod costs nothing', async () => {
  const kube = new FakeKube();
  kube.seed(KINDS.namespace, { metadata: { name: 'ns' } });
  kube.seed(KINDS.networkPolicy, np);
  const pool = { updateVifSgs: async () => undefined } as unknown as VifPoolDriver;
  const h = new PodLabelHandler(
    new PodSgApplier({ alias: 't', getSecurityGroups: async () => ['sg'] }, pool, log),
  );
  const pod = kube.seed(KINDS.pod, {
    metadata: { name: 'c', namespace: 'ns', labels: { app: 'client' } },
    status: { podIP: '10.0.0.7' },
  });
  await h.onPresent(pod, ctx(kube));
  const knp = await kube.get(KINDS.kuryrNetworkPolicy, 'web', 'ns');
  assert.equal(knp.spec.ingressSgRules[0]?.sgRule.remote_ip_prefix, '10.0.0.7/32');
  const seen = await kube.get(KINDS.pod, 'c', 'ns');
  assert.equal(seen.metadata?.annotations?.[ANNOTATION_POD_IP], '10.0.0.7');
  assert.equal(seen.metadata?.annotations?.[ANNOTATION_POD_LABEL], '{"app":"client"}');
  const before = kube.calls.length;
  await h.onPresent(seen, ctx(kube));
  assert.equal(kube.calls.length, before, 'no API call for an unchanged pod');
});

test('registry: kuryrnetworkpolicy and pod_label refuse a security groups driver other than policy', () => {
  const deps = {
    neutron: {},
    podSgs: {},
    securityGroups: { alias: 'default', getSecurityGroups: async () => [] },
  } as unknown as DriverHandlersDeps;
  for (const alias of ['kuryrnetworkpolicy', 'pod_label'] as const) {
    assert.throws(() => DRIVER_HANDLERS[alias]!(deps), /pod_security_groups_driver = policy/);
  }
});
