import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  NotReadyError,
  TimeoutError,
  ValidationError,
} from '../../common/errors/index.js';
import type { KubeApi } from '../../k8s/client.js';
import { vifFromPrimitive } from '../../models/vif-primitive.js';
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

function bed() {
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
  const ctx = (api: KubeApi = kube): HandlerContext => ({
    api,
    events: new EventRecorder(kube, { log: silentLog, enabled: false }),
    log: silentLog,
    signal: new AbortController().signal,
  });
  kube.seed(KINDS.pod, {
    metadata: { name: 'web', namespace: 'default', uid: 'pod-uid-1' },
    spec: { nodeName: 'node-1' },
  });
  const port = kube.seed(KINDS.kuryrPort, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { podUid: 'pod-uid-1', podNodeName: 'node-1' },
  });
  const ports = () => cloud.http.fake.all('ports') as { id: string }[];
  const stored = () => kube.get(KINDS.kuryrPort, 'web', 'default');
  const vifIds = (k: KuryrPort | undefined) =>
    Object.values(k?.status?.vifs ?? {}).map((e) => vifFromPrimitive(e.vif).id);
  return { cloud, kube, handler, ctx, port, ports, stored, vifIds };
}

const STALE = () =>
  new ValidationError('PATCH …: the server rejected our request', { details: { code: 422 } });

test('a status write lost to a concurrent change (422) is retried on the fresh KuryrPort with the same port', async () => {
  const b = bed();
  b.kube.failNext('patchJson', STALE());
  await b.handler.onPresent(b.port, b.ctx());
  assert.equal(b.ports().length, 1, 'one port, no create/delete churn');
  assert.deepEqual(b.vifIds(await b.stored()), [b.ports()[0]!.id]);
});

test('422 and the KuryrPort already names another VIF: our port is given back and the run requeues', async () => {
  const b = bed();
  const racing: KubeApi = Object.create(b.kube) as KubeApi;
  racing.patchJson = async (...args: Parameters<KubeApi['patchJson']>) => {
    // another writer got there first with a different port; our own write then loses the test op
    const [kind, name, ns, ops] = args;
    const theirs = JSON.parse(
      JSON.stringify(ops).replaceAll(b.ports()[0]!.id, 'their-port'),
    ) as typeof ops;
    await b.kube.patchJson(kind, name, ns, theirs);
    throw STALE();
  };
  await assert.rejects(b.handler.onPresent(b.port, b.ctx(racing)), NotReadyError);
  assert.equal(b.ports().length, 0, 'our unreferenced port was deleted');
  assert.deepEqual(b.vifIds(await b.stored()), ['their-port'], 'their status untouched');
});

test('a write whose reply was lost but which landed keeps the port (no double hand-out)', async () => {
  const b = bed();
  const lossy: KubeApi = Object.create(b.kube) as KubeApi;
  lossy.patchJson = async (...args: Parameters<KubeApi['patchJson']>) => {
    await b.kube.patchJson(args[0], args[1], args[2], args[3]);
    throw new TimeoutError('PATCH kuryrports/web: deadline exceeded');
  };
  await b.handler.onPresent(b.port, b.ctx(lossy));
  assert.equal(b.ports().length, 1);
  assert.deepEqual(b.vifIds(await b.stored()), [b.ports()[0]!.id], 'status names the kept port');
});

test('a failed write whose outcome cannot be read back keeps the port and fails the run', async () => {
  const b = bed();
  b.kube.failNext('patchJson', new TimeoutError('PATCH: deadline exceeded'));
  // get #1 reads the pod; get #2 is the re-read that would tell whether the write landed
  const api: KubeApi = Object.create(b.kube) as KubeApi;
  let gets = 0;
  api.get = (async (...args: Parameters<KubeApi['get']>) => {
    gets += 1;
    if (gets === 2) throw new TimeoutError('GET: deadline exceeded');
    return b.kube.get(...args);
  }) as KubeApi['get'];
  await assert.rejects(b.handler.onPresent(b.port, b.ctx(api)), TimeoutError);
  assert.equal(b.ports().length, 1, 'port kept: it may be referenced');
});

test('a VIF whose Neutron port was deleted behind our back fails terminally (Warning Event), no retry loop', async () => {
  const b = bed();
  await b.handler.onPresent(b.port, b.ctx());
  const id = b.ports()[0]!.id;
  await b.cloud.neutron.ports.delete(id);
  await assert.rejects(b.handler.onPresent(await b.stored(), b.ctx()), ConflictError);
});
