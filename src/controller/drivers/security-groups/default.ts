/** @module `default` security groups driver: `[neutron_defaults] pod_security_groups` for every pod. */
import { ConfigurationError } from '../../../common/errors/index.js';
import type { DriverDeps } from '../deps.js';
import type { SecurityGroupsDriver } from './types.js';

/** The `default` security groups driver. */
export class DefaultSecurityGroupsDriver implements SecurityGroupsDriver {
  readonly alias = 'default';
  private readonly groups: readonly string[];

  /** @throws ConfigurationError when the list is empty (Python: RequiredOptError). */
  constructor(groups: readonly string[]) {
    if (groups.length === 0) {
      throw new ConfigurationError(
        '[neutron_defaults] pod_security_groups is empty: give at least one security group ID',
      );
    }
    this.groups = [...groups];
  }

  static fromDeps(d: DriverDeps): DefaultSecurityGroupsDriver {
    return new DefaultSecurityGroupsDriver(d.config.neutronDefaults.podSecurityGroups);
  }

  getSecurityGroups(): Promise<string[]> {
    return Promise.resolve([...this.groups]);
  }
}
