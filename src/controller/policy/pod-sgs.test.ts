import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import type { Vif } from '../../models/vif.js';
import { vifToPrimitive } from '../../models/vif-primitive.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import { PodSgApplier } from './pod-sgs.js';

const vif = (id: string): Vif => ({
  id,
  address: 'fa:16:3e:00:00:01',
  active: true,
  vifName: `tap${id}`.slice(0, 14),
  hasTrafficFiltering: true,
  preserveOnDelete: false,
  type: 'ovs',
  bridgeName: 'br-int',
  network: { id: 'net', label: 'l', mtu: 1450, subnets: [] },
});

function setup(labelsToSgs: (labels: Record<string, string>) => string[]) {
  const kube = new FakeKube();
  const puts: { port: string; sgs: string[] }[] = [];
  const pool = {
    updateVifSgs: async (v: Vif, sgs: readonly string[]) => {
      puts.push({ port: v.id, sgs: [...sgs] });
    },
  } as unknown as VifPoolDriver;
  const applier = new PodSgApplier(
    { alias: 'test', getSecurityGroups: async (t) => labelsToSgs({ ...t.labels }) },
    pool,
    pino({ level: 'silent' }),
  );
  const pod = (name: string, uid: string, labels: Record<string, string>) => ({
    metadata: { name, namespace: 'ns', uid, labels },
  });
  const port = (name: string, uid: string, id?: string) =>
    kube.seed(KINDS.kuryrPort, {
      metadata: { name, namespace: 'ns' },
      spec: { podUid: uid, podNodeName: 'n' },
      status: { vifs: id ? { eth0: { default: true, vif: vifToPrimitive(vif(id)) } } : {} },
    });
  return { kube, puts, applier, pod, port };
}

test('sets the driver SGs on every VIF of the pod once; a change is written again', async () => {
  const { kube, puts, applier, pod, port } = setup((l) => (l.app === 'web' ? ['sg-p'] : ['sg-d']));
  port('web', 'u1', 'port-1');
  assert.equal(await applier.apply(kube, pod('web', 'u1', { app: 'web' })), 1);
  assert.equal(await applier.apply(kube, pod('web', 'u1', { app: 'web' })), 0, 'memo: no PUT');
  assert.equal(await applier.apply(kube, pod('web', 'u1', { app: 'x' })), 1);
  assert.deepEqual(puts, [
    { port: 'port-1', sgs: ['sg-p'] },
    { port: 'port-1', sgs: ['sg-d'] },
  ]);
});

test('no KuryrPort, no VIF yet, or a KuryrPort of an older pod: nothing written', async () => {
  const { kube, puts, applier, pod, port } = setup(() => ['sg']);
  assert.equal(await applier.apply(kube, pod('gone', 'u0', {})), 0);
  port('new', 'u2');
  assert.equal(await applier.apply(kube, pod('new', 'u2', {})), 0);
  port('old', 'u-old', 'port-9');
  assert.equal(await applier.apply(kube, pod('old', 'u3', {})), 0);
  assert.deepEqual(puts, []);
});

test('applySelected touches only the pods a selector selects; forget() drops the memo', async () => {
  const { kube, puts, applier, port } = setup(() => ['sg']);
  for (const [name, app] of [
    ['a', 'web'],
    ['b', 'db'],
  ] as const) {
    kube.seed(KINDS.pod, {
      metadata: { name, namespace: 'ns', uid: `u-${name}`, labels: { app } },
    });
    port(name, `u-${name}`, `port-${name}`);
  }
  const sel = [{ matchLabels: { app: 'web' } }];
  assert.equal(await applier.applySelected(kube, 'ns', sel), 1);
  assert.equal(await applier.applySelected(kube, 'ns', []), 0);
  applier.forget('u-a');
  assert.equal(await applier.applySelected(kube, 'ns', sel), 1);
  assert.deepEqual(
    puts.map((p) => p.port),
    ['port-a', 'port-a'],
  );
});
