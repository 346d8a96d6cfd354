/**
 * @module `pod_security_groups_driver` aliases → factories. `policy` (network policies) is a valid Python
 * alias not implemented yet: refused at start-up with an UnsupportedError.
 */
import { UnsupportedError } from '../../../common/errors/index.js';
import { resolveAlias } from '../alias-registry.js';
import type { DriverDeps } from '../deps.js';
import { DefaultSecurityGroupsDriver } from './default.js';
import type { SecurityGroupsDriver } from './types.js';

/** Factory of one security groups driver. */
export type SecurityGroupsFactory = (deps: DriverDeps) => SecurityGroupsDriver;

/** The aliases (exactly the Python strings). */
export const SECURITY_GROUPS_DRIVERS = {
  default: (d) => DefaultSecurityGroupsDriver.fromDeps(d),
  policy: () => {
    throw new UnsupportedError(
      "[kubernetes] pod_security_groups_driver 'policy' is not supported yet; use default",
    );
  },
} as const satisfies Readonly<Record<string, SecurityGroupsFactory>>;

/** A valid security groups driver value. */
export type SecurityGroupsAlias = keyof typeof SECURITY_GROUPS_DRIVERS;

/** @throws ConfigurationError for an unknown alias or an empty SG list. */
export function createSecurityGroupsDriver(
  alias: string,
  deps: DriverDeps,
  configKey = '[kubernetes] pod_security_groups_driver',
): SecurityGroupsDriver {
  return resolveAlias<SecurityGroupsFactory>(SECURITY_GROUPS_DRIVERS, alias, configKey)(deps);
}
