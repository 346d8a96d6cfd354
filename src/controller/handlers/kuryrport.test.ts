import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotReadyError, ValidationError } from '../../common/errors/index.js';
import type { KuryrPort } from '../../k8s/crds/types.js';
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
import { activePollMs, KuryrPortHandler } from './kuryrport.js';

const kp = (created: string) =>
  ({ metadata: { creationTimestamp: created }, spec: {} }) as unknown as KuryrPort;

test('ACTIVE poll interval grows with the KuryrPort age, between 1 s and 30 s', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(activePollMs(kp('2026-01-01T00:00:00Z'), t0 + 500), 1000);
  assert.equal(activePollMs(kp('2026-01-01T00:00:00Z'), t0 + 20_000), 5000);
  assert.equal(activePollMs(kp('2026-01-01T00:00:00Z'), t0 + 3_600_000), 30_000);
  assert.equal(activePollMs(kp('not a date'), t0), 1000);
});

test('a status write lost to a concurrent change (422 on the test op) releases the port and requeues', async () => {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  const podVif = new NeutronPodVifDriver(cloud.neutron, silentLog);
  const handler = new KuryrPortHandler({
    podVif,
    pool: new NoopVifPool(podVif, { log: silentLog }),
    project: new DefaultProjectDriver('kd-project'),
    subnets: new DefaultSubnetsDriver(cloud.neutron, cloud.subnet.id),
    securityGroups: new DefaultSecurityGroupsDriver(['sg-1']),
  });
  const ctx: HandlerContext = {
    api: kube,
    events: new EventRecorder(kube, { log: silentLog, enabled: false }),
    log: silentLog,
    signal: new AbortController().signal,
  };
  kube.seed(KINDS.pod, {
    metadata: { name: 'web', namespace: 'default', uid: 'pod-uid-1' },
    spec: { nodeName: 'node-1' },
  });
  const port = kube.seed(KINDS.kuryrPort, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { podUid: 'pod-uid-1', podNodeName: 'node-1' },
  });
  kube.failNext(
    'patchJson',
    new ValidationError('PATCH …: the server rejected our request', { details: { code: 422 } }),
  );
  await assert.rejects(handler.onPresent(port, ctx), NotReadyError);
  assert.equal(cloud.http.fake.all('ports').length, 0, 'the unrecorded port was deleted');
});
