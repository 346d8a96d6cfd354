import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder } from '../../k8s/events.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { NeutronPodVifDriver } from '../drivers/pod-vif/neutron-vif.js';
import { DefaultProjectDriver } from '../drivers/project/default.js';
import { DefaultSecurityGroupsDriver } from '../drivers/security-groups/default.js';
import { DefaultSubnetsDriver } from '../drivers/subnets/default.js';
import { fakeCloud, silentLog } from '../drivers/testing/fake-cloud.js';
import { NoopVifPool } from '../drivers/vif-pool/noop.js';
import type { HandlerContext } from '../pipeline/types.js';
import { KuryrPortHandler } from './kuryrport.js';

const CREATED = '2026-01-01T00:00:00Z';

function bed(podCreated: string | undefined) {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  const podVif = new NeutronPodVifDriver(cloud.neutron, silentLog);
  const observed: number[] = [];
  let clock = Date.parse(CREATED) + 1_500;
  const handler = new KuryrPortHandler({
    podVif,
    pool: new NoopVifPool(podVif, { log: silentLog }),
    project: new DefaultProjectDriver('kd-project'),
    subnets: new DefaultSubnetsDriver(cloud.neutron, cloud.subnet.id),
    securityGroups: new DefaultSecurityGroupsDriver(['sg-1']),
    observePodCreationLatency: (s) => observed.push(s),
    now: () => clock,
  });
  const ctx: HandlerContext = {
    api: kube,
    events: new EventRecorder(kube, { log: silentLog, enabled: false }),
    log: silentLog,
    signal: new AbortController().signal,
  };
  kube.seed(KINDS.pod, {
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'pod-uid-1',
      ...(podCreated !== undefined ? { creationTimestamp: podCreated } : {}),
    },
    spec: { nodeName: 'node-1' },
  });
  const port = kube.seed(KINDS.kuryrPort, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { podUid: 'pod-uid-1', podNodeName: 'node-1' },
  });
  const stored = () => kube.get(KINDS.kuryrPort, 'web', 'default');
  const advance = (ms: number) => (clock += ms);
  return { handler, ctx, port, stored, observed, advance };
}

test('pod creation latency: observed once, now − pod creationTimestamp, at the first VIF write', async () => {
  const b = bed(CREATED);
  await b.handler.onPresent(b.port, b.ctx);
  assert.deepEqual(b.observed, [1.5]);
  // re-runs of the wired KuryrPort (activation polls, resyncs, a controller restart) observe nothing
  b.advance(60_000);
  const wired = await b.stored();
  assert.ok(Object.keys(wired.status?.vifs ?? {}).length > 0, 'the VIF was written');
  await b.handler.onPresent(wired, b.ctx);
  await b.handler.onPresent(await b.stored(), b.ctx);
  assert.deepEqual(b.observed, [1.5]);
});

test('pod creation latency: a pod without a creationTimestamp is not observed (no bogus value)', async () => {
  const b = bed(undefined);
  await b.handler.onPresent(b.port, b.ctx);
  assert.ok(Object.keys((await b.stored()).status?.vifs ?? {}).length > 0);
  assert.deepEqual(b.observed, []);
});
