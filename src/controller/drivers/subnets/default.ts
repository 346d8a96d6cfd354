/** @module `default` subnets driver: every pod on `[neutron_defaults] pod_subnet`. */
import { ConfigurationError } from '../../../common/errors/index.js';
import type { NeutronClient } from '../../../openstack/neutron/index.js';
import type { DriverDeps } from '../deps.js';
import type { PodSubnet } from '../pod-vif/types.js';
import { SubnetCache } from './subnet-cache.js';
import type { SubnetsDriver, SubnetsTarget } from './types.js';

/** The `default` subnets driver. */
export class DefaultSubnetsDriver implements SubnetsDriver {
  readonly alias = 'default';
  private readonly cache: SubnetCache;

  /** @throws ConfigurationError when `subnetId` is unset. */
  constructor(
    neutron: NeutronClient,
    private readonly subnetId: string | undefined,
    private readonly configKey = '[neutron_defaults] pod_subnet',
  ) {
    if (subnetId === undefined || subnetId === '') {
      throw new ConfigurationError(`${configKey} is not set: give the subnet ID for pod ports`);
    }
    this.cache = new SubnetCache(neutron);
  }

  /** Builds the pod driver from kuryr.conf. */
  static fromDeps(d: DriverDeps): DefaultSubnetsDriver {
    return new DefaultSubnetsDriver(d.neutron, d.config.neutronDefaults.podSubnet);
  }

  async getSubnets(_t: SubnetsTarget, opts: { signal?: AbortSignal } = {}): Promise<PodSubnet[]> {
    return [await this.cache.get(this.subnetId as string, opts.signal)];
  }

  /** For error messages. */
  toString(): string {
    return `${this.alias} (${this.configKey})`;
  }
}
