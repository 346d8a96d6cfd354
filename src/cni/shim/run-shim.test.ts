import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runShim, mergeWithPrevious, type DaemonTransport } from './run-shim.js';
import { CniShimError } from './cni-error.js';
import { replyToError } from './daemon-client.js';
import { pickCniVersion, daemonEndpoint } from './net-config.js';

const env = {
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'kx-c1',
  CNI_NETNS: '/run/netns/kx1',
  CNI_IFNAME: 'eth0',
};
const conf = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: '1.0.0', name: 'kx-net', type: 'kuryr-cni', ...extra });

const daemonResult = {
  interfaces: [{ name: 'eth0', mac: 'fa:16:3e:00:00:01', sandbox: '/run/netns/kx1', mtu: 1450 }],
  ips: [{ address: '10.0.0.5/24', gateway: '10.0.0.1', interface: 0 }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.1' }],
  dns: {},
};

function fake(reply: { status: number; body?: unknown }, seen: unknown[] = []): DaemonTransport {
  return async (_ep, path, body) => {
    seen.push({ path, body });
    return { status: reply.status, body: reply.body };
  };
}

const parse = (s: string) => JSON.parse(s) as Record<string, unknown>;

test('ADD forwards the Python-shaped body and prints the requested version', async () => {
  const seen: { path: string; body: Record<string, unknown> }[] = [];
  const out = await runShim(
    env,
    conf({ cniVersion: '0.4.0' }),
    fake({ status: 200, body: { result: daemonResult } }, seen),
  );
  assert.equal(out.exitCode, 0);
  const r = parse(out.stdout) as { cniVersion: string; ips: { version: string }[] };
  assert.equal(r.cniVersion, '0.4.0');
  assert.equal(r.ips[0]!.version, '4');
  assert.equal(seen[0]!.path, '/cni/v1/add');
  assert.equal(seen[0]!.body.CNI_CONTAINERID, 'kx-c1');
  assert.equal((seen[0]!.body.config_kuryr as { name: string }).name, 'kx-net');
});

test('DEL prints nothing on success', async () => {
  const out = await runShim(
    { ...env, CNI_COMMAND: 'DEL', CNI_NETNS: '' },
    conf(),
    fake({ status: 204 }),
  );
  assert.deepEqual(out, { stdout: '', exitCode: 0 });
});

test('VERSION needs no daemon', async () => {
  const out = await runShim({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}', () =>
    assert.fail('no call'),
  );
  assert.deepEqual(parse(out.stdout), {
    cniVersion: '0.4.0',
    supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'],
  });
});

test('bad JSON is code 6, unknown version code 1, missing name code 7, missing env code 4', async () => {
  const t = fake({ status: 200, body: { result: daemonResult } });
  assert.equal(parse((await runShim(env, '{nope', t)).stdout).code, 6);
  assert.equal(parse((await runShim(env, conf({ cniVersion: '9.9.9' }), t)).stdout).code, 1);
  assert.equal(parse((await runShim(env, conf({ name: '' }), t)).stdout).code, 7);
  const miss = await runShim({ CNI_COMMAND: 'ADD' }, conf(), t);
  assert.equal(miss.exitCode, 1);
  assert.deepEqual(Object.keys(parse(miss.stdout)), ['cniVersion', 'code', 'msg', 'details']);
  assert.equal(parse(miss.stdout).code, 4);
});

test('daemon unreachable is code 11; for STATUS it is 50', async () => {
  const down: DaemonTransport = () =>
    Promise.reject(new CniShimError(11, 'kuryr-daemon not reachable', 'ECONNREFUSED'));
  assert.equal(parse((await runShim(env, conf(), down)).stdout).code, 11);
  const st = await runShim({ CNI_COMMAND: 'STATUS' }, conf({ cniVersion: '1.1.0' }), down);
  assert.equal(parse(st.stdout).code, 50);
});

test('daemon errors keep their code; empty bodies map by a fixed table, never the HTTP status', () => {
  assert.equal(replyToError({ status: 410, body: { code: 3, msg: 'gone' } }).code, 3);
  assert.equal(replyToError({ status: 502, body: undefined }).code, 999);
  assert.equal(replyToError({ status: 504, body: undefined }).code, 11);
  assert.equal(replyToError({ status: 400, body: undefined }).code, 4);
  assert.equal(replyToError({ status: 410, body: undefined }).code, 3);
  assert.equal(replyToError({ status: 500, body: { code: 42, msg: 'x' } }).code, 999);
});

test('CHECK on 0.3.x is code 1', async () => {
  const out = await runShim(
    { ...env, CNI_COMMAND: 'CHECK' },
    conf({ cniVersion: '0.3.1' }),
    fake({ status: 200 }),
  );
  assert.equal(parse(out.stdout).code, 1);
});

test('cniVersions list: highest supported one wins when cniVersion is absent or unknown', () => {
  assert.equal(pickCniVersion({ cniVersions: ['0.4.0', '1.1.0', '2.0.0'] }), '1.1.0');
  assert.equal(pickCniVersion({ cniVersion: '3.0.0', cniVersions: ['1.0.0'] }), '1.0.0');
});

test('daemon endpoint: unix socket by default, daemon_address for TCP', () => {
  assert.equal(daemonEndpoint({}).socketPath, '/run/kuryr/cni.sock');
  assert.deepEqual(daemonEndpoint({ daemon_address: '127.0.0.1:5036' }).tcp, {
    host: '127.0.0.1',
    port: 5036,
  });
});

test('a prevResult is kept in front and our interface indexes shift', async () => {
  const prev = { cniVersion: '1.0.0', interfaces: [{ name: 'lo0' }], ips: [], routes: [], dns: {} };
  const merged = mergeWithPrevious(
    { interfaces: [{ name: 'lo0' }], ips: [], routes: [], dns: {} },
    { ...daemonResult, dns: {} },
  );
  assert.equal(merged.ips[0]!.interface, 1);
  const out = await runShim(
    env,
    conf({ prevResult: prev }),
    fake({ status: 200, body: { result: daemonResult } }),
  );
  const r = parse(out.stdout) as { interfaces: { name: string }[]; ips: { interface: number }[] };
  assert.deepEqual(
    r.interfaces.map((i) => i.name),
    ['lo0', 'eth0'],
  );
  assert.equal(r.ips[0]!.interface, 1);
});
