import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareCniVersions,
  parseCniResult,
  printCniResult,
  SUPPORTED_CNI_VERSIONS,
  type CniResult,
} from './cni-result.js';

const result: CniResult = {
  interfaces: [
    { name: 'tap6f1d2a0b-4c', mac: 'fa:16:3e:8e:ff:5a' },
    { name: 'eth0', mac: 'fa:16:3e:8e:ff:5a', sandbox: '/run/netns/kx1', mtu: 1450 },
  ],
  ips: [
    { address: '10.97.0.50/24', gateway: '10.97.0.1', interface: 1 },
    { address: 'fd00::5/64', interface: 1 },
  ],
  routes: [{ dst: '0.0.0.0/0', gw: '10.97.0.1', priority: 10 }],
  dns: { nameservers: ['10.97.0.2'] },
};

test('pre-1.0 results carry ips[].version per family', () => {
  for (const v of ['0.3.0', '0.3.1', '0.4.0'] as const) {
    const out = printCniResult(result, v) as { cniVersion: string; ips: { version: string }[] };
    assert.equal(out.cniVersion, v);
    assert.deepEqual(
      out.ips.map((i) => i.version),
      ['4', '6'],
    );
  }
});

test('1.0 and 1.1 results have no ips[].version', () => {
  for (const v of ['1.0.0', '1.1.0'] as const) {
    const out = printCniResult(result, v) as { ips: Record<string, unknown>[] };
    assert.ok(out.ips.every((i) => !('version' in i)));
    assert.equal(out.ips[0]!.interface, 1);
  }
});

test('mtu on interfaces and extra route fields only in 1.1', () => {
  const o10 = printCniResult(result, '1.0.0') as {
    interfaces: Record<string, unknown>[];
    routes: Record<string, unknown>[];
  };
  const o11 = printCniResult(result, '1.1.0') as {
    interfaces: Record<string, unknown>[];
    routes: Record<string, unknown>[];
  };
  assert.equal(o10.interfaces[1]!.mtu, undefined);
  assert.equal(o11.interfaces[1]!.mtu, 1450);
  assert.equal(o10.routes[0]!.priority, undefined);
  assert.equal(o11.routes[0]!.priority, 10);
});

test('sandbox is printed for container interfaces only', () => {
  const out = printCniResult(result, '0.4.0') as { interfaces: Record<string, unknown>[] };
  assert.equal(out.interfaces[0]!.sandbox, undefined);
  assert.equal(out.interfaces[1]!.sandbox, '/run/netns/kx1');
});

test('every printed version parses back to the same model (mtu/route extras aside)', () => {
  for (const v of SUPPORTED_CNI_VERSIONS) {
    const back = parseCniResult(JSON.parse(JSON.stringify(printCniResult(result, v))));
    assert.ok(back);
    assert.deepEqual(back.ips, result.ips);
    assert.deepEqual(back.interfaces[0], result.interfaces[0]);
    assert.deepEqual(back.dns, result.dns);
  }
});

test('parseCniResult ignores junk and returns undefined for non-objects', () => {
  assert.equal(parseCniResult('x'), undefined);
  assert.equal(parseCniResult(null), undefined);
  const r = parseCniResult({ interfaces: [{ nope: 1 }, { name: 'eth0' }], ips: [3], routes: [{}] });
  assert.deepEqual(r, { interfaces: [{ name: 'eth0' }], ips: [], routes: [], dns: {} });
});

test('compareCniVersions is numeric', () => {
  assert.ok(compareCniVersions('0.10.0', '0.4.0') > 0);
  assert.ok(compareCniVersions('1.0.0', '1.1.0') < 0);
  assert.equal(compareCniVersions('1.0.0', '1.0.0'), 0);
});
