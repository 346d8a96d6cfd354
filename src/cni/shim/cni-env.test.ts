import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCniArgs, readCniEnv } from './cni-env.js';
import { CniShimError } from './cni-error.js';

const base = { CNI_CONTAINERID: 'kx-c1', CNI_NETNS: '/run/netns/kx1', CNI_IFNAME: 'eth0' };

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CniShimError);
    return err.code;
  }
  assert.fail('expected a CniShimError');
}

test('parseCniArgs reads K=V;K=V including podman IP/MAC', () => {
  const m = parseCniArgs('IgnoreUnknown=1;K8S_POD_NAME=web1;MAC=0e:cc:00:00:00:50;IP=10.97.0.50;');
  assert.equal(m.get('IP'), '10.97.0.50');
  assert.equal(m.get('MAC'), '0e:cc:00:00:00:50');
  assert.equal(m.get('IgnoreUnknown'), '1');
  assert.equal(parseCniArgs('').size, 0);
  assert.equal(parseCniArgs('A=b=c').get('A'), 'b=c');
});

test('malformed CNI_ARGS is code 4', () => {
  assert.equal(
    code(() => parseCniArgs('novalue')),
    4,
  );
  assert.equal(
    code(() => readCniEnv({ ...base, CNI_COMMAND: 'ADD', CNI_ARGS: '=x' })),
    4,
  );
});

test('ADD needs container id, netns and ifname (code 4)', () => {
  assert.equal(
    code(() => readCniEnv({ CNI_COMMAND: 'ADD' })),
    4,
  );
  assert.equal(
    code(() => readCniEnv({ ...base, CNI_COMMAND: 'ADD', CNI_NETNS: '' })),
    4,
  );
  assert.equal(
    code(() => readCniEnv({ ...base, CNI_COMMAND: 'CHECK', CNI_IFNAME: undefined })),
    4,
  );
  assert.equal(readCniEnv({ ...base, CNI_COMMAND: 'ADD' }).netns, '/run/netns/kx1');
});

test('DEL accepts an empty netns (containerd)', () => {
  const env = readCniEnv({ ...base, CNI_COMMAND: 'DEL', CNI_NETNS: '' });
  assert.equal(env.netns, '');
  assert.equal(env.command, 'DEL');
});

test('VERSION, GC and STATUS need no container variables', () => {
  for (const c of ['VERSION', 'GC', 'STATUS'])
    assert.equal(readCniEnv({ CNI_COMMAND: c }).command, c);
});

test('unknown command, bad container id and bad ifname are code 4', () => {
  assert.equal(
    code(() => readCniEnv({ ...base, CNI_COMMAND: 'FOO' })),
    4,
  );
  assert.equal(
    code(() => readCniEnv({ CNI_COMMAND: undefined })),
    4,
  );
  assert.equal(
    code(() => readCniEnv({ ...base, CNI_COMMAND: 'ADD', CNI_CONTAINERID: '-bad' })),
    4,
  );
  assert.equal(
    code(() => readCniEnv({ ...base, CNI_COMMAND: 'ADD', CNI_IFNAME: 'a/b' })),
    4,
  );
  assert.equal(
    code(() => readCniEnv({ ...base, CNI_COMMAND: 'ADD', CNI_IFNAME: 'x'.repeat(16) })),
    4,
  );
});
