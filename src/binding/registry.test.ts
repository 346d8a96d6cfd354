import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { isUnsupportedError } from '../common/errors/index.js';
import { FakeNetlink } from './netlink/fake-netlink.js';
import { createBindingRegistry } from './registry.js';
import { FakeOvsdb, buildPort } from './testing/fakes.js';

const registry = createBindingRegistry({
  netlink: new FakeNetlink(),
  logger: pino({ level: 'silent' }),
  ovsdb: new FakeOvsdb(),
});

test('vif_type and vif_details choose the driver', () => {
  assert.equal(registry.driverFor(buildPort({ 'binding:vif_type': 'bridge' })).name, 'bridge');
  assert.equal(registry.driverFor(buildPort({ 'binding:vif_type': 'ovs' })).name, 'ovs');
  assert.equal(
    registry.driverFor(
      buildPort({ 'binding:vif_type': 'ovs', 'binding:vif_details': { ovs_hybrid_plug: true } }),
    ).name,
    'ovs-hybrid',
  );
  assert.equal(registry.driverFor(buildPort({ 'binding:vif_type': 'tap' })).name, 'tap');
  assert.equal(registry.driver('macvlan').name, 'macvlan');
  assert.equal(registry.driver('vlan').name, 'vlan');
});

test('unbound, binding_failed, missing and unknown vif_types are clear UnsupportedErrors', () => {
  for (const [type, re] of [
    ['unbound', /unbound.*L2 agent/],
    ['binding_failed', /binding_failed.*L2 agent/],
    [null, /no binding:vif_type/],
    ['vhostuser', /"vhostuser".*known: bridge, ovs, tap/],
  ] as const) {
    assert.throws(
      () => registry.driverFor(buildPort({ 'binding:vif_type': type })),
      (e: unknown) => isUnsupportedError(e) && re.test((e as Error).message),
    );
  }
});
