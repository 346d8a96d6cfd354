import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { CniCodedError } from '../cni-errors.js';
import { attachmentTags } from './identity.js';
import { GONE_NETNS, StandaloneCniService } from './standalone-service.js';
import type { CniRequest } from './types.js';
import { FakeStore, fakeBindings } from './testing/fakes.js';

const req = (over: Partial<CniRequest> = {}): CniRequest => ({
  command: 'ADD',
  containerId: 'c1',
  netns: '/run/netns/kx1',
  ifName: 'eth0',
  args: new Map(),
  config: { name: 'kx', network: 'kx-net' },
  networkName: 'kx',
  ...over,
});

function service(store = new FakeStore(), bindings = fakeBindings()) {
  return {
    store,
    bindings,
    svc: new StandaloneCniService({
      store,
      bindings: bindings.registry,
      host: 'node1',
      log: pino({ level: 'silent' }),
    }),
  };
}

test('ADD creates a tagged, host-bound port and binds it with L3 into the netns', async () => {
  const { store, bindings, svc } = service();
  const out = await svc.add(req());
  assert.equal(store.created[0]!['binding:host_id'], 'node1');
  assert.equal(store.created[0]!.device_owner, 'compute:kuryr');
  assert.deepEqual(
    store.ports[0]!.tags,
    attachmentTags('kx', { containerId: 'c1', ifName: 'eth0' }),
  );
  const t = bindings.calls[0]!.target;
  assert.equal(t.netns, '/run/netns/kx1');
  assert.deepEqual(t.ip?.addresses, [{ cidr: '10.9.0.10/24' }]);
  assert.deepEqual(t.ip?.routes, [{ dst: '0.0.0.0/0', gw: '10.9.0.1' }]);
  assert.equal(t.mtu, 1450);
  assert.deepEqual(out.result.ips, [
    { address: '10.9.0.10/24', gateway: '10.9.0.1', interface: 1 },
  ]);
  assert.equal(out.result.interfaces[1]!.sandbox, '/run/netns/kx1');
  assert.deepEqual(out.result.dns, { nameservers: ['10.9.0.2'] });
});

test('ADD passes IP= and MAC= to Neutron; a second ADD re-finds the same port', async () => {
  const { store, svc } = service();
  await svc.add(
    req({
      args: new Map([
        ['IP', '10.9.0.50'],
        ['MAC', '0E:CC:00:00:00:50'],
      ]),
    }),
  );
  assert.deepEqual(store.created[0]!.fixed_ips, [{ ip_address: '10.9.0.50' }]);
  assert.equal(store.created[0]!.mac_address, '0e:cc:00:00:00:50');
  await svc.add(req());
  assert.equal(store.ports.length, 1);
});

test('a failed bind unbinds and deletes the port it created', async () => {
  const store = new FakeStore();
  const b = fakeBindings({ failBind: true });
  const { svc } = service(store, b);
  await assert.rejects(svc.add(req()), /netlink says no/);
  assert.equal(store.ports.length, 0);
  assert.deepEqual(
    b.calls.map((c) => c.op),
    ['bind', 'unbind'],
  );
});

test('unknown network is code 7 and creates nothing', async () => {
  const { store, svc } = service();
  await assert.rejects(
    svc.add(req({ config: { name: 'kx', network: 'nope' } })),
    (e: unknown) => e instanceof CniCodedError && e.cniCode === 7,
  );
  await assert.rejects(
    svc.add(req({ config: { name: 'kx' } })),
    (e: unknown) => e instanceof CniCodedError && e.cniCode === 7,
  );
  assert.equal(store.created.length, 0);
});

test('DEL with an empty netns unbinds the host side only and deletes the port; repeating is fine', async () => {
  const { store, bindings, svc } = service();
  await svc.add(req());
  await svc.del(req({ command: 'DEL', netns: '' }));
  assert.equal(store.ports.length, 0);
  assert.equal(bindings.calls[1]!.target.netns, GONE_NETNS);
  await svc.del(req({ command: 'DEL', netns: '' }));
});

test('GC keeps valid attachments and removes the others of this network', async () => {
  const { store, svc } = service();
  await svc.add(req({ containerId: 'keep' }));
  await svc.add(req({ containerId: 'leak' }));
  const removed = await svc.gc(req({ command: 'GC' }), [{ containerId: 'keep', ifName: 'eth0' }]);
  assert.equal(removed.length, 1);
  assert.deepEqual(
    store.ports.map((p) => p.device_id),
    ['keep'],
  );
});

test('CHECK fails when prevResult names an address the port does not hold', async () => {
  const { svc } = service();
  await svc.add(req());
  const prevResult = {
    interfaces: [{ name: 'eth0', sandbox: '/run/netns/kx1' }],
    ips: [{ address: '10.9.0.99/24', interface: 0 }],
  };
  await assert.rejects(
    svc.check(req({ command: 'CHECK', config: { name: 'kx', network: 'kx-net', prevResult } })),
    /does not match/,
  );
  const good = {
    interfaces: [{ name: 'eth0', sandbox: '/run/netns/kx1' }],
    ips: [{ address: '10.9.0.10/24', interface: 0 }],
  };
  await svc.check(
    req({ command: 'CHECK', config: { name: 'kx', network: 'kx-net', prevResult: good } }),
  );
});

test('operations on one container are serialised', async () => {
  const { store, svc } = service();
  await Promise.all([svc.add(req()), svc.add(req()), svc.add(req())]);
  assert.equal(store.created.length, 1);
});

/** Waits (bounded) for background work such as the pool refill. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

test('pool_size: a warm pool port is claimed with one re-tag instead of a create', async () => {
  const { store, svc } = service();
  const cfg = { name: 'kx', network: 'kx-net', pool_size: 2 };
  await svc.add(req({ containerId: 'p1', config: cfg })); // empty pool: create, refill starts
  await until(() => store.ports.filter((p) => p.tags.includes('kuryr.cni.pool')).length === 2);
  const pooled = store.ports.filter((p) => p.tags.includes('kuryr.cni.pool'));
  assert.equal(pooled.length, 2);
  const creates = store.created.length;
  const out = await svc.add(req({ containerId: 'p2', config: cfg }));
  assert.ok(store.claims >= 1);
  assert.ok(!out.port.tags.includes('kuryr.cni.pool'));
  assert.ok(out.port.tags.includes('kuryr.net.uuid.lh:p2'));
  assert.equal(out.port.id, pooled[0]!.id);
  await until(() => store.created.length === creates + 1);
  assert.equal(store.created.length, creates + 1, 'one refill create after the take');
  // DEL finds it by identity tags; GC leaves unclaimed pool ports alone
  await svc.del(req({ containerId: 'p2', command: 'DEL', config: cfg }));
  await svc.gc(req({ command: 'GC', config: cfg }), []);
  assert.equal(store.ports.filter((p) => p.tags.includes('kuryr.cni.pool')).length, 2);
});
