/**
 * @module `[kubernetes] pod_vif_driver` aliases → factories. `nested-dpdk` is a valid Python alias we do
 * not implement yet: it is refused at start-up with an UnsupportedError rather than silently ignored.
 */
import { UnsupportedError } from '../../../common/errors/index.js';
import { resolveAlias } from '../alias-registry.js';
import type { DriverDeps } from '../deps.js';
import { NestedMacvlanPodVifDriver } from './nested-macvlan.js';
import { NestedVlanPodVifDriver } from './nested-vlan.js';
import { NeutronPodVifDriver } from './neutron-vif.js';
import type { PodVifDriver } from './types.js';

/** Factory of one Pod VIF driver. */
export type PodVifFactory = (deps: DriverDeps) => PodVifDriver;

/** The aliases (exactly the Python strings). */
export const POD_VIF_DRIVERS = {
  'neutron-vif': (d) => NeutronPodVifDriver.fromDeps(d),
  'nested-vlan': (d) => NestedVlanPodVifDriver.fromDeps(d),
  'nested-macvlan': (d) => NestedMacvlanPodVifDriver.fromDeps(d),
  'nested-dpdk': () => {
    throw new UnsupportedError(
      "[kubernetes] pod_vif_driver 'nested-dpdk' is not supported yet; use nested-vlan or nested-macvlan",
    );
  },
} as const satisfies Readonly<Record<string, PodVifFactory>>;

/** A valid `pod_vif_driver` value. */
export type PodVifAlias = keyof typeof POD_VIF_DRIVERS;

/**
 * Builds the driver named by `alias`.
 * @throws ConfigurationError for an unknown alias (message lists the valid ones).
 */
export function createPodVifDriver(alias: string, deps: DriverDeps): PodVifDriver {
  return resolveAlias<PodVifFactory>(POD_VIF_DRIVERS, alias, '[kubernetes] pod_vif_driver')(deps);
}
