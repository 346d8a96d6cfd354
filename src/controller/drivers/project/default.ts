/** @module `default` project driver: `[neutron_defaults] project` for everything. */
import { ConfigurationError } from '../../../common/errors/index.js';
import type { DriverDeps } from '../deps.js';
import type { ProjectDriver } from './types.js';

/** The `default` project driver. */
export class DefaultProjectDriver implements ProjectDriver {
  readonly alias = 'default';

  /** @throws ConfigurationError when `[neutron_defaults] project` is unset. */
  constructor(private readonly projectId: string | undefined) {
    if (!projectId) {
      throw new ConfigurationError('[neutron_defaults] project is not set: give a project ID');
    }
  }

  static fromDeps(d: DriverDeps): DefaultProjectDriver {
    return new DefaultProjectDriver(d.config.neutronDefaults.project);
  }

  getProjectId(): Promise<string> {
    return Promise.resolve(this.projectId as string);
  }
}
