/**
 * @module `ovs` vif_type: host end added to the integration bridge (`vif_details.bridge_name`, default
 * br-int) with the `external_ids` the OVS agent matches on (COMPATIBILITY.md §2), over OVSDB JSON-RPC.
 */
import { ConfigurationError } from '../../common/errors/index.js';
import type { Ovsdb } from '../ovs/ovsdb-client.js';
import type { Rollback } from '../rollback.js';
import type { BindTarget } from '../types.js';
import { VethDriver, type VethDriverDeps } from './veth-driver.js';

/** `owner` external id that marks ports kuryr plugged (unplug matches iface-id + owner). */
export const OVS_OWNER = 'kuryr';

/** Dependencies of the OVS drivers. */
export interface OvsDriverDeps extends VethDriverDeps {
  /** OVSDB of the host's Open vSwitch; undefined ⇒ ConfigurationError on use. */
  ovsdb?: Ovsdb;
  /** Integration bridge when the port's vif_details names none. @default 'br-int' */
  integrationBridge?: string;
}

/** Integration bridge for a port: vif_details `bridge_name` (or legacy `ovs_bridge`), else the default. */
export function ovsBridgeOf(t: BindTarget, fallback: string): string {
  const d = t.port['binding:vif_details'] ?? {};
  const name = d['bridge_name'] ?? d['ovs_bridge'];
  return typeof name === 'string' && name !== '' ? name : fallback;
}

/** The Interface external_ids of a kuryr-plugged port. */
export function ovsExternalIds(t: BindTarget): Record<string, string> {
  return {
    'iface-id': t.port.id,
    'attached-mac': t.port.mac_address,
    'iface-status': 'active',
    'vm-uuid': t.port.device_id ?? '',
    owner: OVS_OWNER,
  };
}

/** Veth with the host end on the OVS integration bridge. */
export class VethOvsDriver extends VethDriver {
  readonly name: string = 'ovs';
  protected readonly bridgeDefault: string;
  private readonly db: Ovsdb | undefined;

  constructor(deps: OvsDriverDeps) {
    super(deps);
    this.db = deps.ovsdb;
    this.bridgeDefault = deps.integrationBridge ?? 'br-int';
  }

  protected get ovsdb(): Ovsdb {
    if (this.db === undefined) {
      throw new ConfigurationError(
        'an ovs-bound port needs the OVSDB socket ([binding] ovsdb_connection)',
      );
    }
    return this.db;
  }

  protected async plugHost(t: BindTarget, host: string, _mtu: number, rb: Rollback): Promise<void> {
    await this.ovsdb.addPort(ovsBridgeOf(t, this.bridgeDefault), host, ovsExternalIds(t));
    rb.push(`remove OVS port ${host}`, () => this.ovsdb.deletePort(host));
  }

  protected async unplugHost(t: BindTarget, host: string): Promise<void> {
    await this.ovsdb.deletePortsByIfaceId(t.port.id, OVS_OWNER);
    await this.ovsdb.deletePort(host);
  }

  protected async checkHost(t: BindTarget, host: string): Promise<string[]> {
    const p = await this.ovsdb.getPort(host);
    const bridge = ovsBridgeOf(t, this.bridgeDefault);
    if (p === undefined) return [`OVS port ${host} missing`];
    const problems = p.bridge === bridge ? [] : [`OVS port ${host} on ${p.bridge}, not ${bridge}`];
    if (p.externalIds['iface-id'] !== t.port.id)
      problems.push(`OVS port ${host} has a wrong iface-id`);
    return problems;
  }
}
