/**
 * @module `pod_security_groups_driver` aliases → factories: `default` (the configured SGs) and `policy`
 * (the SGs of the NetworkPolicies selecting the pod, docs/network-policy.md).
 */
import { resolveAlias } from '../alias-registry.js';
import { DefaultSecurityGroupsDriver } from './default.js';
import { PolicySecurityGroupsDriver, type PolicyDriverDeps } from './policy.js';
import type { SecurityGroupsDriver } from './types.js';

/** Factory of one security groups driver. */
export type SecurityGroupsFactory = (deps: PolicyDriverDeps) => SecurityGroupsDriver;

/** The aliases (exactly the Python strings). */
export const SECURITY_GROUPS_DRIVERS = {
  default: (d) => DefaultSecurityGroupsDriver.fromDeps(d),
  policy: (d) => PolicySecurityGroupsDriver.fromDeps(d),
} as const satisfies Readonly<Record<string, SecurityGroupsFactory>>;

/** A valid security groups driver value. */
export type SecurityGroupsAlias = keyof typeof SECURITY_GROUPS_DRIVERS;

/** @throws ConfigurationError for an unknown alias or an empty SG list. */
export function createSecurityGroupsDriver(
  alias: string,
  deps: PolicyDriverDeps,
  configKey = '[kubernetes] pod_security_groups_driver',
): SecurityGroupsDriver {
  return resolveAlias<SecurityGroupsFactory>(SECURITY_GROUPS_DRIVERS, alias, configKey)(deps);
}
