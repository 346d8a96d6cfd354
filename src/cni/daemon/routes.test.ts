/* eslint-disable @typescript-eslint/no-explicit-any -- JSON replies are inspected ad hoc */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { statSync } from 'node:fs';
import pino from 'pino';
import { encodeVif } from '../../models/vif-ovo.js';
import { CniMetrics } from './metrics.js';
import { CniRoutes } from './routes.js';
import { CniDaemonServer } from './server.js';
import { StandaloneCniService } from './standalone-service.js';
import { FakeStore, fakeBindings } from './testing/fakes.js';

const log = pino({ level: 'silent' });
const store = new FakeStore();
const metrics = new CniMetrics();
const svc = new StandaloneCniService({
  store,
  bindings: fakeBindings().registry,
  host: 'node1',
  log,
});
const routes = new CniRoutes({ standalone: svc, encodeVif, metrics, log });
const server = new CniDaemonServer(routes, metrics, () => svc.status(), log);
const sock = `/tmp/kx-unit-${process.pid}.sock`;
await server.listenUnix(sock);
await server.listenOps('127.0.0.1', 0);
after(() => server.close());

const body = (cmd: string, extra: Record<string, unknown> = {}) => ({
  CNI_COMMAND: cmd,
  CNI_CONTAINERID: 'c1',
  CNI_NETNS: '/run/netns/kx1',
  CNI_IFNAME: 'eth0',
  CNI_ARGS: '',
  config_kuryr: { name: 'kx', network: 'kx-net', cniVersion: '1.0.0' },
  ...extra,
});

function post(
  path: string,
  payload: unknown,
): Promise<{ status: number; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, path, method: 'POST' }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: t ? JSON.parse(t) : undefined }),
      );
    });
    req.on('error', reject);
    req.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  });
}

test('the unix socket is 0600', () => {
  assert.equal(statSync(sock).mode & 0o777, 0o600);
});

test('our ADD route returns the neutral result; Python /addNetwork 202 + os-vif VIF; /delNetwork 204', async () => {
  const ours = await post('/cni/v1/add', body('ADD'));
  assert.equal(ours.status, 200);
  assert.equal(ours.body.result.ips[0].address, '10.9.0.10/24');
  const py = await post('/addNetwork', body('ADD'));
  assert.equal(py.status, 202);
  assert.equal(py.body['versioned_object.name'], 'VIFBridge');
  assert.equal(py.body['versioned_object.data'].plugin, 'linux_bridge');
  assert.equal(py.body['versioned_object.data'].network['versioned_object.version'], '1.1');
  assert.equal((await post('/delNetwork', body('DEL'))).status, 204);
  assert.equal(store.ports.length, 0);
});

test('bad JSON is 400/6, missing fields 400/4, unknown path 404, pods without k8s mode 500/999', async () => {
  assert.deepEqual(
    [(await post('/cni/v1/add', '{x')).status, (await post('/cni/v1/add', '{x')).body.code],
    [400, 6],
  );
  const missing = await post('/cni/v1/add', body('ADD', { CNI_CONTAINERID: '' }));
  assert.deepEqual([missing.status, missing.body.code], [400, 4]);
  assert.equal((await post('/nope', {})).status, 404);
  const pod = await post(
    '/cni/v1/add',
    body('ADD', { CNI_ARGS: 'K8S_POD_NAMESPACE=default;K8S_POD_NAME=p' }),
  );
  assert.deepEqual([pod.status, pod.body.code], [500, 999]);
});

test('metrics expose kuryr_cni_request_duration_seconds by command and error', async () => {
  const text = (await metrics.render()).text;
  assert.match(text, /kuryr_cni_request_duration_seconds_count\{command="ADD",error="false"\} 2/);
  assert.match(text, /kuryr_cni_request_duration_seconds_count\{command="ADD",error="true"\}/);
  const port = server.tcpPort(1);
  const res = await fetch(`http://127.0.0.1:${port}/ready`);
  assert.equal(res.status, 200);
  assert.match(
    await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    /kuryr_cni_request_duration_seconds/,
  );
});
