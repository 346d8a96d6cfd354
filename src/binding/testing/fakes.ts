/**
 * @module Fakes and builders for the binding unit tests: an in-memory OVSDB, an in-memory nested
 * Neutron (with revision checks and injected conflicts) and a Neutron port builder.
 */
import { ConflictError, NotFoundError } from '../../common/errors/index.js';
import type { AllowedAddressPair, SubPort, Trunk } from '../../openstack/neutron/types.js';
import type { Ovsdb } from '../ovs/ovsdb-client.js';
import type { BindingPort, NestedNeutron } from '../types.js';

/** A bound Neutron port with sensible defaults. */
export function buildPort(over: Partial<BindingPort> = {}): BindingPort {
  return {
    id: '6f1d2a0b-4c3e-4b8a-9d2e-0a1b2c3d4e5f',
    network_id: '0b7c1234-aaaa-bbbb-cccc-000000000000',
    mac_address: 'fa:16:3e:5b:2e:47',
    fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.1.7' }],
    'binding:vif_type': 'bridge',
    'binding:vif_details': {},
    device_id: 'dev-1',
    ...over,
  };
}

/** In-memory OVSDB: bridge → port name → external_ids. */
export class FakeOvsdb implements Ovsdb {
  readonly bridges = new Map<string, Map<string, Record<string, string>>>([['br-int', new Map()]]);
  failAdd = false;

  addPort(bridge: string, name: string, ids: Record<string, string>): Promise<void> {
    if (this.failAdd) return Promise.reject(new Error('injected OVSDB failure'));
    const b = this.bridges.get(bridge);
    if (b === undefined)
      return Promise.reject(new NotFoundError(`OVS bridge ${bridge} does not exist`));
    b.set(name, ids);
    return Promise.resolve();
  }
  deletePort(name: string): Promise<boolean> {
    let found = false;
    for (const b of this.bridges.values()) found = b.delete(name) || found;
    return Promise.resolve(found);
  }
  async deletePortsByIfaceId(ifaceId: string, owner: string): Promise<number> {
    let n = 0;
    for (const b of this.bridges.values()) {
      for (const [name, ids] of b) {
        if (ids['iface-id'] === ifaceId && ids['owner'] === owner && (await this.deletePort(name)))
          n++;
      }
    }
    return n;
  }
  getPort(
    name: string,
  ): Promise<{ bridge: string; externalIds: Record<string, string> } | undefined> {
    for (const [bridge, b] of this.bridges) {
      const ids = b.get(name);
      if (ids) return Promise.resolve({ bridge, externalIds: ids });
    }
    return Promise.resolve(undefined);
  }
  close(): void {}
}

/** In-memory Neutron for the nested helpers; `conflicts` makes the next N writes fail with 412/409. */
export class FakeNestedNeutron implements NestedNeutron {
  readonly ports = new Map<string, BindingPort & { revision_number: number }>();
  readonly trunks = new Map<string, Trunk>();
  conflicts = 0;
  /** Accept the next N pair writes but drop them (a concurrent stale writer won). */
  lostWrites = 0;

  getPort(id: string): Promise<BindingPort & { revision_number: number }> {
    const p = this.ports.get(id);
    return p
      ? Promise.resolve(structuredClone(p))
      : Promise.reject(new NotFoundError(`port ${id}`));
  }
  updatePortPairs(id: string, pairs: AllowedAddressPair[], rev: number): Promise<void> {
    const p = this.ports.get(id);
    if (p === undefined) return Promise.reject(new NotFoundError(`port ${id}`));
    if (this.conflicts > 0) {
      this.conflicts--;
      p.revision_number++; // someone else wrote meanwhile
    }
    if (p.revision_number !== rev) return Promise.reject(new ConflictError('revision mismatch'));
    if (this.lostWrites > 0) {
      this.lostWrites--;
      p.revision_number++;
      return Promise.resolve();
    }
    p.allowed_address_pairs = pairs;
    p.revision_number++;
    return Promise.resolve();
  }
  getTrunk(id: string): Promise<Trunk> {
    const t = this.trunks.get(id);
    return t
      ? Promise.resolve(structuredClone(t))
      : Promise.reject(new NotFoundError(`trunk ${id}`));
  }
  addSubports(id: string, subs: SubPort[]): Promise<void> {
    const t = this.trunks.get(id);
    if (t === undefined) return Promise.reject(new NotFoundError(`trunk ${id}`));
    if (this.conflicts > 0) {
      this.conflicts--;
      t.sub_ports.push({
        port_id: 'racer',
        segmentation_type: 'vlan',
        segmentation_id: subs[0]?.segmentation_id ?? 0,
      });
      return Promise.reject(new ConflictError('segmentation id in use'));
    }
    t.sub_ports.push(...subs);
    return Promise.resolve();
  }
  removeSubports(id: string, portIds: string[]): Promise<void> {
    const t = this.trunks.get(id);
    if (t) t.sub_ports = t.sub_ports.filter((s) => !portIds.includes(s.port_id));
    return Promise.resolve();
  }
}
