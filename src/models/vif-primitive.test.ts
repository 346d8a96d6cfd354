import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../common/errors/index.js';
import type { Vif } from './vif.js';
import { encodeVif } from './vif-ovo.js';
import { vifFromPrimitive, vifToPrimitive } from './vif-primitive.js';

const network = {
  id: 'net-1',
  label: 'uid/demo',
  mtu: 1450,
  subnets: [{ cidr: '10.0.1.0/24', gateway: '10.0.1.1', dns: [], ips: ['10.0.1.7'], routes: [] }],
};
const base = {
  id: '6f1d2a0b-4c3e-4b8a-9d2e-0a1b2c3d4e5f',
  address: 'fa:16:3e:5b:2e:47',
  active: true,
  vifName: 'tap6f1d2a0b-4c',
  hasTrafficFiltering: true,
  preserveOnDelete: false,
  network,
};

test('every VIF class round-trips', () => {
  const vifs: Vif[] = [
    { ...base, type: 'ovs', bridgeName: 'br-int' },
    { ...base, type: 'bridge', plugin: 'linux_bridge', bridgeName: 'brqnet-1' },
    { ...base, type: 'bridge', plugin: 'ovs', bridgeName: 'qbr6f1d2a0b-4c' },
    { ...base, type: 'vlan-nested', vlanId: 42 },
    { ...base, type: 'macvlan-nested' },
  ];
  for (const v of vifs) assert.deepEqual(vifFromPrimitive(vifToPrimitive(v)), v);
});

test('writes the lowest versions, namespace os_vif, and the nested plugin noop', () => {
  const p = vifToPrimitive({ ...base, type: 'vlan-nested', vlanId: 7 });
  assert.equal(p['versioned_object.name'], 'VIFVlanNested');
  assert.equal(p['versioned_object.namespace'], 'os_vif');
  assert.equal(p['versioned_object.version'], '1.0');
  const d = p['versioned_object.data'] as Record<string, unknown>;
  assert.equal(d['plugin'], 'noop');
  assert.equal(d['vlan_id'], 7);
  assert.equal((d['network'] as Record<string, unknown>)['versioned_object.version'], '1.1');
});

test('reads any 1.x and ignores unknown fields; refuses 2.x and other classes', () => {
  const p = vifToPrimitive({ ...base, type: 'macvlan-nested' });
  const newer: Record<string, unknown> = { ...p, 'versioned_object.version': '1.3' };
  (newer['versioned_object.data'] as Record<string, unknown>)['future_field'] = 1;
  assert.equal(vifFromPrimitive(newer).type, 'macvlan-nested');
  assert.throws(
    () => vifFromPrimitive({ ...p, 'versioned_object.version': '2.0' }),
    ValidationError,
  );
  assert.throws(
    () => vifFromPrimitive({ ...p, 'versioned_object.name': 'VIFHostDevice' }),
    ValidationError,
  );
});

test('agrees with the CNI encoder (models/vif-ovo.ts) for an OVS port', () => {
  const fromPort = encodeVif({
    port: {
      id: base.id,
      mac_address: base.address,
      status: 'ACTIVE',
      fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.1.7' }],
      'binding:vif_type': 'ovs',
      'binding:vif_details': { port_filter: true, bridge_name: 'br-int' },
    },
    network: { id: 'net-1', name: 'uid/demo', mtu: 1450 },
    subnets: [
      {
        id: 's1',
        cidr: '10.0.1.0/24',
        gateway_ip: '10.0.1.1',
        dns_nameservers: [],
        host_routes: [],
      },
    ],
  });
  const ours = vifToPrimitive({
    ...base,
    type: 'ovs',
    bridgeName: 'br-int',
    network: { ...network, bridge: 'br-int' },
  });
  assert.deepEqual(vifFromPrimitive(fromPort), vifFromPrimitive(ours));
});
