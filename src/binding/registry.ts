/**
 * @module Binding driver registry: one instance of each driver, chosen per Neutron port by
 * `binding:vif_type` and `binding:vif_details` (COMPATIBILITY.md §2 host plumbing table).
 */
import type { Logger } from 'pino';
import { UnsupportedError } from '../common/errors/index.js';
import { NestedDriver } from './drivers/nested-driver.js';
import { VethBridgeDriver } from './drivers/veth-bridge.js';
import { VethHybridDriver } from './drivers/veth-hybrid.js';
import { VethOvsDriver } from './drivers/veth-ovs.js';
import { VethTapDriver } from './drivers/veth-tap.js';
import type { Netlink } from './netlink/types.js';
import type { Ovsdb } from './ovs/ovsdb-client.js';
import type {
  BindingDriver,
  BindingDriverAlias,
  BindingPort,
  BindingRegistry,
  NestedNeutron,
} from './types.js';

/** Everything the drivers need, built once by the composition root. */
export interface BindingRegistryDeps {
  netlink: Netlink;
  logger: Logger;
  /** OVSDB of the local Open vSwitch (needed for ovs-bound ports). */
  ovsdb?: Ovsdb;
  /** `[binding] link_iface` for the nested drivers. */
  linkIface?: string;
  /** Integration bridge default. @default 'br-int' */
  integrationBridge?: string;
  /** Neutron calls of the nested macvlan driver (allowed address pairs). */
  neutron?: NestedNeutron;
}

/** vif_types that Neutron sets when a port could not be bound. */
const UNBOUND = new Set(['unbound', 'binding_failed']);

/**
 * Builds the registry.
 * @example
 * const bindings = createBindingRegistry({ netlink: new NativeNetlink(), logger, ovsdb });
 * await bindings.driverFor(port).bind({ port, ifName: 'eth0', netns, mtu: net.mtu, ip });
 */
export function createBindingRegistry(deps: BindingRegistryDeps): BindingRegistry {
  const drivers: Record<BindingDriverAlias, BindingDriver> = {
    bridge: new VethBridgeDriver(deps),
    ovs: new VethOvsDriver(deps),
    'ovs-hybrid': new VethHybridDriver(deps),
    tap: new VethTapDriver(deps),
    macvlan: new NestedDriver('macvlan', deps),
    vlan: new NestedDriver('vlan', deps),
  };
  return {
    driver: (alias) => drivers[alias],
    driverFor(port: BindingPort): BindingDriver {
      const type = port['binding:vif_type'];
      const details = port['binding:vif_details'] ?? {};
      if (type === undefined || type === null || type === '') {
        throw new UnsupportedError(
          `port ${port.id} has no binding:vif_type: bind it to this host (admin credentials needed)`,
        );
      }
      if (UNBOUND.has(type)) {
        throw new UnsupportedError(
          `port ${port.id} is ${type} on host ${port['binding:host_id'] ?? '(none)'}: ` +
            'check that a live L2 agent reports this host name',
        );
      }
      if (type === 'ovs')
        return details['ovs_hybrid_plug'] === true ? drivers['ovs-hybrid'] : drivers.ovs;
      if (type === 'bridge' || type === 'tap') return drivers[type];
      throw new UnsupportedError(
        `binding:vif_type "${type}" of port ${port.id} is not supported (known: bridge, ovs, tap)`,
      );
    },
  };
}
