/* eslint-disable @typescript-eslint/no-explicit-any -- primitives are inspected ad hoc */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeVif, encodeVif } from './vif-ovo.js';

const input = {
  port: {
    id: '6f1d2a0b-4c3e-4b8a-9d2e-0a1b2c3d4e5f',
    mac_address: 'fa:16:3e:5b:2e:47',
    status: 'ACTIVE',
    fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.1.7' }],
    'binding:vif_type': 'ovs',
    'binding:vif_details': { port_filter: true },
  },
  network: { id: '0b7c0000-0000-0000-0000-000000000000', name: 'demo', mtu: 1450 },
  subnets: [
    { id: 's1', cidr: '10.0.1.0/24', gateway_ip: '10.0.1.1', dns_nameservers: [], host_routes: [] },
  ],
};

test('ovs ports encode as VIFOpenVSwitch with a port profile and Network 1.1 (COMPATIBILITY §7)', () => {
  const p = encodeVif(input) as Record<string, any>;
  assert.equal(p['versioned_object.name'], 'VIFOpenVSwitch');
  assert.equal(p['versioned_object.namespace'], 'os_vif');
  const d = p['versioned_object.data'];
  assert.equal(d.vif_name, 'tap6f1d2a0b-4c');
  assert.equal(d.bridge_name, 'br-int');
  assert.equal(d.active, true);
  assert.equal(d.port_profile['versioned_object.data'].interface_id, input.port.id);
  assert.equal(d.network['versioned_object.version'], '1.1');
  const ip =
    d.network['versioned_object.data'].subnets['versioned_object.data'].objects[0][
      'versioned_object.data'
    ].ips;
  assert.equal(ip['versioned_object.data'].objects[0]['versioned_object.data'].address, '10.0.1.7');
});

test('linuxbridge ports encode as VIFBridge/linux_bridge and decode back', () => {
  const p = encodeVif({
    ...input,
    port: { ...input.port, 'binding:vif_type': 'bridge', status: 'DOWN' },
  });
  const v = decodeVif(p);
  assert.equal(v.className, 'VIFBridge');
  assert.equal(v.vifType, 'bridge');
  assert.equal(v.active, false);
  assert.equal(v.bridgeName, 'brq0b7c0000-00');
  assert.deepEqual(v.network.subnets[0], {
    cidr: '10.0.1.0/24',
    gateway: '10.0.1.1',
    dns: [],
    ips: ['10.0.1.7'],
    routes: [],
  });
  assert.equal(v.network.mtu, 1450);
});

test('decodeVif refuses what is not a supported VIF', () => {
  assert.throws(() => decodeVif({}), TypeError);
  assert.throws(
    () => decodeVif({ 'versioned_object.name': 'VIFVHostUser', 'versioned_object.data': {} }),
    /not supported/,
  );
});
