import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConflictError, isValidationError } from '../../common/errors/index.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { resolveTrunks } from './nodes.js';

function kube(): FakeKube {
  const k = new FakeKube();
  const node = (name: string, addresses: { type: string; address: string }[]) =>
    k.seed(KINDS.node, { metadata: { name }, status: { addresses } });
  node('node-1', [
    { type: 'Hostname', address: 'node-1' },
    { type: 'ExternalIP', address: '203.0.113.1' },
    { type: 'InternalIP', address: '10.0.0.1' },
  ]);
  node('node-2', [{ type: 'ExternalIP', address: '203.0.113.2' }]);
  node('node-3', [{ type: 'InternalIP', address: '10.0.0.99' }]);
  node('node-4', [{ type: 'InternalIP', address: '10.0.0.99' }]);
  node('node-5', [{ type: 'Hostname', address: 'h5' }]);
  return k;
}

test('a trunk is a node name, an InternalIP or an ExternalIP of a node', async () => {
  const got = await resolveTrunks(kube(), ['10.0.0.1', 'node-1', '203.0.113.2', '203.0.113.1']);
  assert.deepEqual(Object.fromEntries(got), {
    '10.0.0.1': { name: 'node-1', hostIp: '10.0.0.1' },
    // named directly: the node's InternalIP is its host IP
    'node-1': { name: 'node-1', hostIp: '10.0.0.1' },
    '203.0.113.2': { name: 'node-2', hostIp: '203.0.113.2' },
    '203.0.113.1': { name: 'node-1', hostIp: '203.0.113.1' },
  });
});

test('unknown trunks are all named in one ValidationError', async () => {
  await assert.rejects(resolveTrunks(kube(), ['node-1', '10.9.9.9', 'ghost']), (e: Error) => {
    assert.ok(isValidationError(e));
    assert.match(e.message, /10\.9\.9\.9, ghost/);
    return true;
  });
  // a Hostname address does not count: only InternalIP / ExternalIP
  await assert.rejects(resolveTrunks(kube(), ['h5']), (e) => isValidationError(e));
  // no nodes at all: every trunk is unknown
  await assert.rejects(resolveTrunks(new FakeKube(), ['x']), (e) => isValidationError(e));
});

test('an IP of several nodes is a conflict, never "the first"', async () => {
  await assert.rejects(resolveTrunks(kube(), ['10.0.0.99']), (e: Error) => {
    assert.ok(isConflictError(e));
    assert.match(e.message, /node-3, node-4/);
    return true;
  });
});
