import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { NeutronPodVifDriver } from '../drivers/pod-vif/neutron-vif.js';
import { DefaultProjectDriver } from '../drivers/project/default.js';
import { fakeCloud, silentLog, type FakeCloud } from '../drivers/testing/fake-cloud.js';
import { NeutronVifPool } from '../drivers/vif-pool/neutron-pool.js';
import { NoopVifPool } from '../drivers/vif-pool/noop.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import { callPoolManager } from './client.js';
import { startPoolManager, type PoolManager } from './start.js';

const root = mkdtempSync(join(tmpdir(), 'kpm-unit-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

interface Bed {
  cloud: FakeCloud;
  pool: VifPoolDriver;
  socket: string;
  manager: PoolManager;
  call: (
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ) => ReturnType<typeof callPoolManager>;
  posts: () => number;
}

async function bed(
  o: { active?: () => boolean; pool?: (c: FakeCloud) => VifPoolDriver; deadlineMs?: number } = {},
): Promise<Bed> {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  kube.seed(KINDS.node, {
    metadata: { name: 'node-1' },
    status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
  });
  kube.seed(KINDS.node, { metadata: { name: 'node-2' } });
  const driver = new NeutronPodVifDriver(cloud.neutron, silentLog);
  const pool =
    o.pool?.(cloud) ?? new NeutronVifPool(driver, cloud.neutron, silentLog, { min: 0, batch: 2 });
  const socket = join(root, `d${++n}`, 'run', 'kuryr_manage.sock');
  const manager = await startPoolManager({
    socketPath: socket,
    api: kube,
    log: silentLog,
    active: o.active ?? (() => true),
    activeCheckMs: 10,
    ...(o.deadlineMs ? { deadlineMs: o.deadlineMs } : {}),
    drivers: {
      pool,
      project: new DefaultProjectDriver('kd-project'),
      subnets: { alias: 't', getSubnets: () => Promise.resolve([cloud.podSubnet]) },
      securityGroups: { alias: 't', getSecurityGroups: () => Promise.resolve(['sg-b', 'sg-a']) },
    },
  });
  return {
    cloud,
    pool,
    socket,
    manager,
    call: (method, path, body) =>
      callPoolManager(socket, method, path, { body, timeoutMs: 10_000 }),
    posts: () => cloud.http.fake.requests.filter((r) => r.method === 'POST').length,
  };
}

test('populate by IP and by name, list, show, free (one node, then all)', async () => {
  const b = await bed();
  try {
    let r = await b.call('POST', '/populatePool', { trunks: ['10.0.0.1', 'node-2'], num_ports: 3 });
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /10\.0\.0\.1, node-2.*6 created/);
    const ports = b.cloud.http.fake.all('ports');
    assert.equal(ports.length, 6);
    assert.deepEqual(ports.map((p) => p['binding:host_id']).sort(), [
      'node-1',
      'node-1',
      'node-1',
      'node-2',
      'node-2',
      'node-2',
    ]);
    // num_ports defaults to 1
    assert.equal((await b.call('POST', '/populatePool', { trunks: ['node-1'] })).status, 200);
    assert.equal(b.cloud.http.fake.all('ports').length, 7);

    r = await b.call('GET', '/listPools');
    assert.equal(r.status, 200);
    const lines = r.body.split('\n');
    assert.equal(lines[0], 'Pools:');
    const n1 = lines.find((l) => l.startsWith('["node-1"'));
    assert.match(n1 ?? '', /^\["node-1","kd-project",\[".+"\],\["sg-a","sg-b"\]\] has 4 ports$/);
    assert.ok(lines.some((l) => l.startsWith('["node-2"') && l.endsWith(' has 3 ports')));

    // showPool: by IP, SGs as a set (any order), every pool of node + project + SGs
    r = await b.call('GET', '/showPool', {
      pool_key: ['10.0.0.1', 'kd-project', ['sg-b', 'sg-a']],
    });
    assert.equal(r.status, 200);
    const shown = r.body.trim().split('\n');
    const node1 = b.cloud.http.fake.all('ports').filter((p) => p['binding:host_id'] === 'node-1');
    assert.deepEqual(shown.sort(), node1.map((p) => p.id).sort());
    r = await b.call('GET', '/showPool', { pool_key: ['node-1', 'kd-project', ['sg-a']] });
    assert.deepEqual(r, { status: 200, body: 'Empty pool' });

    r = await b.call('POST', '/freePool', { trunks: ['10.0.0.1'] });
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /4 port\(s\) deleted/);
    assert.deepEqual(
      b.cloud.http.fake.all('ports').map((p) => p['binding:host_id']),
      ['node-2', 'node-2', 'node-2'],
    );
    r = await b.call('POST', '/freePool', {});
    assert.equal(r.status, 200);
    assert.equal(b.cloud.http.fake.all('ports').length, 0);
    assert.deepEqual(await b.call('GET', '/listPools'), {
      status: 200,
      body: 'There are no pools',
    });
  } finally {
    await b.manager.close();
  }
});

test('bad input is a 400 with a clear text and changes nothing', async () => {
  const b = await bed();
  try {
    const bad: [string, 'GET' | 'POST', string, RegExp][] = [
      ['{"trunks": [', 'POST', '/populatePool', /not valid JSON/],
      ['[1]', 'POST', '/populatePool', /must be a JSON object/],
      ['{}', 'POST', '/populatePool', /^Trunk port IP\(s\) missing\.$/],
      ['{"trunks": []}', 'POST', '/populatePool', /^Trunk port IP\(s\) missing\.$/],
      ['{"trunks": "10.0.0.1"}', 'POST', '/populatePool', /list of strings/],
      ['{"trunks": ["10.0.0.1"], "num_ports": 0}', 'POST', '/populatePool', /num_ports/],
      ['{"trunks": ["10.0.0.1"], "num_ports": "2"}', 'POST', '/populatePool', /num_ports/],
      ['{"trunks": ["10.0.0.1"], "num_ports": 1.5}', 'POST', '/populatePool', /num_ports/],
      ['{"trunks": ["10.0.0.1"], "num_ports": 100000}', 'POST', '/populatePool', /num_ports/],
      [
        '{"trunks": ["10.0.0.1"], "num_port": 2}',
        'POST',
        '/populatePool',
        /unknown field.*num_port/,
      ],
      ['{"trunks": [""]}', 'POST', '/populatePool', /non-empty strings/],
      ['{"trunks": [7]}', 'POST', '/freePool', /non-empty strings/],
      ['{"pool_key": ["10.0.0.1", "kd-project"]}', 'GET', '/showPool', /^Invalid pool key/],
      ['{"pool_key": "x"}', 'GET', '/showPool', /^Invalid pool key/],
      ['{"pool_key": ["10.0.0.1", "p", "sg"]}', 'GET', '/showPool', /list of strings/],
    ];
    for (const [body, method, path, re] of bad) {
      const r = await rawCall(b.socket, method, path, body);
      assert.equal(r.status, 400, `${path} ${body}: ${r.body}`);
      assert.match(r.body, re, `${path} ${body}`);
    }
    // an unknown trunk among known ones: named, nothing populated / freed
    await b.call('POST', '/populatePool', { trunks: ['node-2'], num_ports: 2 });
    const before = b.posts();
    let r = await b.call('POST', '/populatePool', { trunks: ['10.0.0.1', '10.6.6.6', 'nodeX'] });
    assert.equal(r.status, 400);
    assert.match(r.body, /unknown trunk\(s\): 10\.6\.6\.6, nodeX/);
    r = await b.call('POST', '/freePool', { trunks: ['node-2', '10.6.6.6'] });
    assert.equal(r.status, 400);
    r = await b.call('GET', '/showPool', { pool_key: ['10.6.6.6', 'kd-project', []] });
    assert.equal(r.status, 400);
    assert.equal(b.posts(), before);
    assert.equal(b.cloud.http.fake.all('ports').length, 2);
    assert.ok(!b.cloud.http.fake.requests.some((q) => q.method === 'DELETE'));
    // too large a body
    r = await rawCall(b.socket, 'POST', '/populatePool', `{"trunks": ["${'a'.repeat(70_000)}"]}`);
    assert.equal(r.status, 413);
  } finally {
    await b.manager.close();
  }
});

test('unknown path 404 and wrong method 405, with the original text', async () => {
  const b = await bed();
  try {
    assert.deepEqual(await b.call('GET', '/nope'), { status: 404, body: 'Method not allowed.' });
    assert.deepEqual(await b.call('POST', '/listPools'), {
      status: 405,
      body: 'Method not allowed.',
    });
    const r = await rawCall(b.socket, 'GET', '/populatePool', '{"trunks": ["node-1"]}');
    assert.equal(r.status, 405);
    assert.equal(r.allow, 'POST');
    assert.equal(b.posts(), 0);
  } finally {
    await b.manager.close();
  }
});

test('a standby (or a leader before its pools are recovered) answers 503 and does nothing', async () => {
  const b = await bed({ active: () => false });
  try {
    for (const [method, path, body] of [
      ['POST', '/populatePool', { trunks: ['node-1'] }],
      ['POST', '/freePool', {}],
      ['GET', '/listPools', undefined],
      ['GET', '/showPool', { pool_key: ['node-1', 'p', []] }],
    ] as const) {
      const r = await b.call(method, path, body);
      assert.equal(r.status, 503, path);
      assert.match(r.body, /not the active replica/);
    }
    assert.equal(b.cloud.http.fake.requests.length, 0);
  } finally {
    await b.manager.close();
  }
});

test('losing the lead or the deadline aborts a running populate with 503', async () => {
  let active = true;
  const hanging = (): VifPoolDriver =>
    ({
      keepsPools: true,
      populate: (_r: unknown, _n: number, o: { signal: AbortSignal }) =>
        new Promise((_resolve, reject) => {
          active = false;
          o.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    }) as unknown as VifPoolDriver;
  const b = await bed({ active: () => active, pool: hanging });
  try {
    const r = await b.call('POST', '/populatePool', { trunks: ['node-1'] });
    assert.equal(r.status, 503);
    assert.match(r.body, /populating node-1 failed: populate aborted: .*not the active replica/);
  } finally {
    await b.manager.close();
  }
  const slow = (): VifPoolDriver =>
    ({
      keepsPools: true,
      populate: (_r: unknown, _n: number, o: { signal: AbortSignal }) =>
        new Promise((_resolve, reject) => {
          o.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    }) as unknown as VifPoolDriver;
  const c = await bed({ pool: slow, deadlineMs: 50 });
  try {
    const r = await c.call('POST', '/populatePool', { trunks: ['node-1'] });
    assert.equal(r.status, 503);
    assert.match(r.body, /did not finish within/);
  } finally {
    await c.manager.close();
  }
});

test('noop pool: populate and free refuse clearly, list says there are no pools', async () => {
  const b = await bed({
    pool: (cloud) => new NoopVifPool(new NeutronPodVifDriver(cloud.neutron, silentLog)),
  });
  try {
    for (const path of ['/populatePool', '/freePool']) {
      const r = await b.call('POST', path, { trunks: ['node-1'] });
      assert.equal(r.status, 400);
      assert.match(r.body, /noop keeps no pools/);
    }
    assert.deepEqual(await b.call('GET', '/listPools'), {
      status: 200,
      body: 'There are no pools',
    });
    assert.equal(b.cloud.http.fake.requests.length, 0);
  } finally {
    await b.manager.close();
  }
});

test('socket: 0600 in a 0700 parent, stale socket replaced, live one and non-sockets refused, removed at close', async () => {
  const b = await bed();
  assert.equal(statSync(b.socket).mode & 0o777, 0o600);
  assert.equal(statSync(join(b.socket, '..')).mode & 0o777, 0o700);
  // a second manager on a live socket is refused, the first keeps serving
  await assert.rejects(startAt(b.socket), /served by another process/);
  assert.equal((await b.call('GET', '/listPools')).status, 200);
  await b.manager.close();
  assert.throws(() => statSync(b.socket), /ENOENT/);
  // a stale socket (its server gone without unlinking) is replaced
  const dir = join(root, 'stale');
  mkdirSync(dir, { mode: 0o700 });
  const stale = join(dir, 's.sock');
  await leaveStaleSocket(stale);
  const m = await startAt(stale);
  assert.equal((await callPoolManager(stale, 'GET', '/listPools')).status, 200);
  await m.close();
  // a regular file at the path is never deleted
  const file = join(dir, 'file.sock');
  writeFileSync(file, 'keep');
  await assert.rejects(startAt(file), /not a socket/);
  assert.equal(statSync(file).isFile(), true);
});

function startAt(socketPath: string): Promise<PoolManager> {
  const cloud = fakeCloud();
  return startPoolManager({
    socketPath,
    api: new FakeKube(),
    log: silentLog,
    active: () => true,
    drivers: {
      pool: new NoopVifPool(new NeutronPodVifDriver(cloud.neutron, silentLog)),
      project: new DefaultProjectDriver('p'),
      subnets: { alias: 't', getSubnets: () => Promise.resolve([]) },
      securityGroups: { alias: 't', getSecurityGroups: () => Promise.resolve([]) },
    },
  });
}

/** Binds a unix socket and closes the listener without removing the file (a killed process). */
async function leaveStaleSocket(path: string): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  spawnSync(process.execPath, ['-e', script]);
  assert.ok(statSync(path).isSocket(), 'the killed process left its socket file');
}

/** Sends a raw body (not JSON-encoded) and returns status, body and the Allow header. */
async function rawCall(
  socketPath: string,
  method: string,
  path: string,
  body: string,
): Promise<{ status: number; body: string; allow?: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const headers = { 'content-length': Buffer.byteLength(body) };
    const req = request({ socketPath, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          ...(res.headers.allow ? { allow: res.headers.allow } : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
