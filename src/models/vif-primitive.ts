/**
 * @module Codec between the {@link Vif} model and the os-vif versioned-object primitive of
 * COMPATIBILITY.md §7 (KuryrPort `status.vifs[*].vif`). Writes namespace `os_vif`, the lowest version
 * carrying the fields (VIF classes 1.0, `Network` 1.1 for `mtu`); reads any 1.x and ignores unknown fields.
 * NOTE: src/models/vif-ovo.ts (CNI side) encodes ovs/bridge straight from a Neutron port; this codec
 * works on the model and adds the nested classes. A unit test checks both agree for ovs/bridge.
 */
import { ValidationError } from '../common/errors/index.js';
import type { Vif, VifNetwork, VifSubnet } from './vif.js';

/** An os-vif primitive (JSON object). */
export type VifPrimitive = Record<string, unknown>;

function ovo(name: string, data: VifPrimitive, version = '1.0'): VifPrimitive {
  return {
    'versioned_object.name': name,
    'versioned_object.namespace': 'os_vif',
    'versioned_object.version': version,
    'versioned_object.data': data,
  };
}

function listOf(name: string, objects: VifPrimitive[]): VifPrimitive {
  return ovo(name, { objects });
}

function encodeNetwork(n: VifNetwork): VifPrimitive {
  const subnets = n.subnets.map((s) =>
    ovo('Subnet', {
      cidr: s.cidr,
      ...(s.gateway !== undefined ? { gateway: s.gateway } : {}),
      dns: s.dns,
      ips: listOf(
        'FixedIPList',
        s.ips.map((address) => ovo('FixedIP', { address })),
      ),
      routes: listOf(
        'RouteList',
        s.routes.map((r) => ovo('Route', { cidr: r.cidr, gateway: r.gateway })),
      ),
    }),
  );
  return ovo(
    'Network',
    {
      id: n.id,
      label: n.label,
      ...(n.mtu ? { mtu: n.mtu } : {}),
      ...(n.bridge !== undefined ? { bridge: n.bridge } : {}),
      subnets: listOf('SubnetList', subnets),
    },
    '1.1',
  );
}

/**
 * Encodes a VIF as its os-vif primitive.
 * @example vifToPrimitive(vif)['versioned_object.name'] // 'VIFVlanNested'
 */
export function vifToPrimitive(vif: Vif): VifPrimitive {
  const common = {
    id: vif.id,
    address: vif.address,
    active: vif.active,
    vif_name: vif.vifName,
    has_traffic_filtering: vif.hasTrafficFiltering,
    preserve_on_delete: vif.preserveOnDelete,
    network: encodeNetwork(vif.network),
  };
  switch (vif.type) {
    case 'ovs':
      return ovo('VIFOpenVSwitch', {
        ...common,
        plugin: 'ovs',
        bridge_name: vif.bridgeName,
        port_profile: ovo('VIFPortProfileOpenVSwitch', { interface_id: vif.id }),
      });
    case 'bridge':
      return ovo('VIFBridge', {
        ...common,
        plugin: vif.plugin,
        bridge_name: vif.bridgeName,
        ...(vif.plugin === 'ovs'
          ? { port_profile: ovo('VIFPortProfileOpenVSwitch', { interface_id: vif.id }) }
          : {}),
      });
    case 'vlan-nested':
      return ovo('VIFVlanNested', { ...common, plugin: 'noop', vlan_id: vif.vlanId });
    case 'macvlan-nested':
      return ovo('VIFMacvlanNested', { ...common, plugin: 'noop' });
  }
}

function dataOf(o: unknown, what: string): Record<string, unknown> {
  const obj = o as Record<string, unknown> | undefined;
  const version = obj?.['versioned_object.version'];
  if (typeof version === 'string' && !version.startsWith('1.')) {
    throw new ValidationError(`VIF primitive: ${what} has unsupported version ${version}`);
  }
  const d = obj?.['versioned_object.data'];
  if (typeof d !== 'object' || d === null) {
    throw new ValidationError(`VIF primitive: ${what} has no versioned_object.data`);
  }
  return d as Record<string, unknown>;
}

function objects(o: unknown, what: string): unknown[] {
  if (o === undefined) return [];
  const list = dataOf(o, what)['objects'];
  return Array.isArray(list) ? list : [];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function decodeNetwork(o: unknown): VifNetwork {
  const n = dataOf(o, 'network');
  const subnets: VifSubnet[] = objects(n['subnets'], 'subnets').map((s) => {
    const d = dataOf(s, 'subnet');
    const gateway = str(d['gateway']);
    return {
      cidr: String(d['cidr']),
      ...(gateway !== undefined ? { gateway } : {}),
      dns: Array.isArray(d['dns']) ? d['dns'].map(String) : [],
      ips: objects(d['ips'], 'ips').map((f) => String(dataOf(f, 'ip')['address'])),
      routes: objects(d['routes'], 'routes').map((r) => {
        const rd = dataOf(r, 'route');
        return { cidr: String(rd['cidr']), gateway: String(rd['gateway']) };
      }),
    };
  });
  const bridge = str(n['bridge']);
  return {
    id: String(n['id']),
    label: str(n['label']) ?? '',
    ...(typeof n['mtu'] === 'number' ? { mtu: n['mtu'] } : {}),
    ...(bridge !== undefined ? { bridge } : {}),
    subnets,
  };
}

/**
 * Decodes an os-vif primitive (any 1.x of VIFOpenVSwitch, VIFBridge, VIFVlanNested, VIFMacvlanNested).
 * @throws ValidationError for another class, a 2.x version or a malformed object.
 */
export function vifFromPrimitive(primitive: unknown): Vif {
  const name = str((primitive as Record<string, unknown> | undefined)?.['versioned_object.name']);
  const d = dataOf(primitive, 'VIF');
  const base = {
    id: String(d['id']),
    address: String(d['address']),
    active: d['active'] === true,
    vifName: str(d['vif_name']) ?? '',
    hasTrafficFiltering: d['has_traffic_filtering'] === true,
    preserveOnDelete: d['preserve_on_delete'] === true,
    network: decodeNetwork(d['network']),
  };
  switch (name) {
    case 'VIFOpenVSwitch':
      return { ...base, type: 'ovs', bridgeName: str(d['bridge_name']) ?? '' };
    case 'VIFBridge':
      return {
        ...base,
        type: 'bridge',
        plugin: d['plugin'] === 'ovs' ? 'ovs' : 'linux_bridge',
        bridgeName: str(d['bridge_name']) ?? '',
      };
    case 'VIFVlanNested':
      return { ...base, type: 'vlan-nested', vlanId: Number(d['vlan_id']) };
    case 'VIFMacvlanNested':
      return { ...base, type: 'macvlan-nested' };
    default:
      throw new ValidationError(`VIF class ${name ?? '(none)'} is not supported`);
  }
}
