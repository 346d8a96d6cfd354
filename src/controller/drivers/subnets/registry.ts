/** @module `pod_subnets_driver` / `service_subnets_driver` aliases → factories. */
import { resolveAlias } from '../alias-registry.js';
import type { DriverDeps } from '../deps.js';
import { DefaultSubnetsDriver } from './default.js';
import { NamespaceSubnetsDriver, type NamespaceSubnetLookup } from './namespace.js';
import type { SubnetsDriver } from './types.js';

/** Extra wiring some subnets drivers accept. */
export interface SubnetsDeps extends DriverDeps {
  namespaceLookup?: NamespaceSubnetLookup;
}

/** Factory of one subnets driver. */
export type SubnetsFactory = (deps: SubnetsDeps) => SubnetsDriver;

/** The aliases (exactly the Python strings). */
export const POD_SUBNETS_DRIVERS = {
  default: (d) => DefaultSubnetsDriver.fromDeps(d),
  namespace: (d) => NamespaceSubnetsDriver.fromDeps(d, d.namespaceLookup),
} as const satisfies Readonly<Record<string, SubnetsFactory>>;

/** A valid `pod_subnets_driver` value. */
export type SubnetsAlias = keyof typeof POD_SUBNETS_DRIVERS;

/** @throws ConfigurationError for an unknown alias or a missing required option. */
export function createPodSubnetsDriver(alias: string, deps: SubnetsDeps): SubnetsDriver {
  return resolveAlias<SubnetsFactory>(
    POD_SUBNETS_DRIVERS,
    alias,
    '[kubernetes] pod_subnets_driver',
  )(deps);
}
