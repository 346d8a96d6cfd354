import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KuryrPort } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { hostIpForRelease } from './release-host-ip.js';

const UID = '11111111-1111-4111-8111-111111111111';
const kp = {
  metadata: { name: 'web', namespace: 'ns' },
  spec: { podUid: UID, podNodeName: 'vm-1' },
} as unknown as KuryrPort;

test('the pod hostIP while the pod exists, else the Node InternalIP, else undefined', async () => {
  const kube = new FakeKube();
  assert.equal(await hostIpForRelease(kube, kp), undefined, 'neither pod nor node');
  kube.seed(KINDS.node, {
    metadata: { name: 'vm-1' },
    status: {
      addresses: [
        { type: 'Hostname', address: 'vm-1' },
        { type: 'InternalIP', address: '10.0.0.7' },
      ],
    },
  });
  assert.equal(await hostIpForRelease(kube, kp), '10.0.0.7', 'pod gone: the node');
  kube.seed(KINDS.pod, {
    metadata: { name: 'web', namespace: 'ns', uid: 'another-pod-of-that-name' },
    status: { hostIP: '10.0.0.99' },
  });
  assert.equal(await hostIpForRelease(kube, kp), '10.0.0.7', 'a newer pod of the name is not ours');
  kube.seed(KINDS.pod, {
    metadata: { name: 'web', namespace: 'ns', uid: UID },
    status: { hostIP: '10.0.0.5' },
  });
  assert.equal(await hostIpForRelease(kube, kp), '10.0.0.5');
});
