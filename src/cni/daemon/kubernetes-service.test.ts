import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { TimeoutError } from '../../common/errors/index.js';
import { encodeVif } from '../../models/vif-ovo.js';
import { CniCodedError } from '../cni-errors.js';
import { KubernetesCniService, type KuryrPortView } from './kubernetes-service.js';
import { fakeBindings } from './testing/fakes.js';
import type { CniRequest } from './types.js';

const vif = encodeVif({
  port: {
    id: 'p-1',
    mac_address: 'fa:16:3e:00:00:09',
    status: 'ACTIVE',
    fixed_ips: [{ subnet_id: 's', ip_address: '10.5.0.9' }],
    'binding:vif_type': 'bridge',
  },
  network: { id: 'n-1', name: 'ns/demo', mtu: 1400 },
  subnets: [
    { id: 's', cidr: '10.5.0.0/24', gateway_ip: '10.5.0.1', dns_nameservers: [], host_routes: [] },
  ],
});

const req = (uid = 'uid-1'): CniRequest => ({
  command: 'ADD',
  containerId: 'sandbox1',
  netns: '/proc/1/ns/net',
  ifName: 'eth0',
  args: new Map([
    ['K8S_POD_NAMESPACE', 'default'],
    ['K8S_POD_NAME', 'web'],
    ['K8S_POD_UID', uid],
  ]),
  config: { name: 'kuryr' },
  networkName: 'kuryr',
});

function svc(views: (KuryrPortView | undefined)[], vifTimeoutMs = 5000) {
  const b = fakeBindings();
  let i = 0;
  const source = { get: async () => views[Math.min(i++, views.length - 1)] };
  return {
    b,
    s: new KubernetesCniService({
      source,
      bindings: b.registry,
      log: pino({ level: 'silent' }),
      pollMs: 1,
      vifTimeoutMs,
    }),
  };
}

test('ADD waits for the VIF, binds it with L3 and returns the result', async () => {
  const { b, s } = svc([
    undefined,
    { podUid: 'uid-1', vifs: {} },
    { podUid: 'uid-1', vifs: { eth0: vif } },
  ]);
  const out = await s.add(req());
  assert.deepEqual(out.result.ips, [{ address: '10.5.0.9/24', gateway: '10.5.0.1', interface: 1 }]);
  const t = b.calls[0]!.target;
  assert.equal(t.port['binding:vif_type'], 'bridge');
  assert.equal(t.port.network_id, 'n-1');
  assert.equal(t.mtu, 1400);
  assert.deepEqual(t.ip?.routes, [{ dst: '0.0.0.0/0', gw: '10.5.0.1' }]);
});

test('a KuryrPort of another pod UID is code 3; no VIF in time is a TimeoutError', async () => {
  await assert.rejects(
    svc([{ podUid: 'other', vifs: { eth0: vif } }]).s.add(req()),
    (e: unknown) => e instanceof CniCodedError && e.cniCode === 3,
  );
  await assert.rejects(svc([undefined], 50).s.add(req()), TimeoutError);
});

test('DEL unbinds the VIF and succeeds when the KuryrPort is gone', async () => {
  const a = svc([{ podUid: 'uid-1', vifs: { eth0: vif } }]);
  await a.s.del({ ...req(), command: 'DEL' });
  assert.deepEqual(
    a.b.calls.map((c) => c.op),
    ['unbind'],
  );
  const gone = svc([undefined]);
  await gone.s.del({ ...req(), command: 'DEL' });
  assert.equal(gone.b.calls.length, 0);
});

test('a DEL from an older sandbox than the last ADD is stale and touches nothing', async () => {
  const a = svc([{ podUid: 'uid-1', vifs: { eth0: vif } }]);
  await a.s.add({ ...req(), containerId: 'sandbox2' });
  await a.s.del({ ...req(), command: 'DEL', containerId: 'sandbox1' });
  assert.deepEqual(
    a.b.calls.map((c) => c.op),
    ['bind'],
  );
  await a.s.del({ ...req(), command: 'DEL', containerId: 'sandbox2' });
  assert.deepEqual(
    a.b.calls.map((c) => c.op),
    ['bind', 'unbind'],
  );
});
