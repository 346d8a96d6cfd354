/**
 * @module What the `service` and `endpoints` handlers build a KuryrLoadBalancer spec from, resolved once
 * from kuryr.conf at start-up (ARCHITECTURE.md rule 1): `[kubernetes] service_project_driver`,
 * `service_security_groups_driver`, `service_subnets_driver` (only `default`: `[neutron_defaults]
 * service_subnet`), `endpoints_driver_octavia_provider` and the `[octavia_defaults]` timeouts.
 */
import { ConfigurationError, UnsupportedError } from '../../../common/errors/index.js';
import type { DriverDeps } from '../../drivers/deps.js';
import type { NamespaceAnnotationsLookup } from '../../drivers/project/annotation.js';
import { createProjectDriver } from '../../drivers/project/registry.js';
import type { ProjectDriver } from '../../drivers/project/types.js';
import { createSecurityGroupsDriver } from '../../drivers/security-groups/registry.js';
import type { SecurityGroupsDriver } from '../../drivers/security-groups/types.js';

/** Dependencies of the Service → KuryrLoadBalancer spec. */
export interface ServiceSpecDeps {
  /** `[kubernetes] service_project_driver`. */
  project: ProjectDriver;
  /** `[kubernetes] service_security_groups_driver`. */
  securityGroups: SecurityGroupsDriver;
  /** `[neutron_defaults] service_subnet`: the subnet of every VIP. */
  subnetId: string;
  /** Octavia provider written into `spec.provider` (`default` ⇒ `amphora`, as the Python Kuryr). */
  provider: string;
  /** `[octavia_defaults] timeout_client_data` (ms, 0 = Octavia's default). */
  timeoutClientData: number;
  /** `[octavia_defaults] timeout_member_data` (ms, 0 = Octavia's default). */
  timeoutMemberData: number;
}

/** `endpoints_driver_octavia_provider` → the provider name Octavia knows. */
export function octaviaProvider(configured: string): string {
  return configured === 'default' || configured === '' ? 'amphora' : configured;
}

/**
 * Resolves the service spec dependencies from kuryr.conf.
 *
 * @throws ConfigurationError when `[neutron_defaults] service_subnet` is unset or a driver alias is
 *   unknown; UnsupportedError for `service_subnets_driver` other than `default`
 */
export function buildServiceSpecDeps(
  deps: DriverDeps,
  lookups: { namespaceAnnotations?: NamespaceAnnotationsLookup } = {},
): ServiceSpecDeps {
  const { kubernetes: k, neutronDefaults: nd, octaviaDefaults: od } = deps.config;
  if (k.serviceSubnetsDriver !== 'default') {
    throw new UnsupportedError(
      `[kubernetes] service_subnets_driver '${k.serviceSubnetsDriver}' is not supported; use default ` +
        '(every VIP on [neutron_defaults] service_subnet)',
    );
  }
  if (!nd.serviceSubnet) {
    throw new ConfigurationError(
      '[neutron_defaults] service_subnet is not set: the service and endpoints handlers need the ' +
        'subnet ID of the service VIPs (the subnet holding the cluster IP range)',
    );
  }
  return {
    project: createProjectDriver(
      k.serviceProjectDriver,
      { ...deps, ...lookups },
      '[kubernetes] service_project_driver',
    ),
    securityGroups: createSecurityGroupsDriver(
      k.serviceSecurityGroupsDriver,
      deps,
      '[kubernetes] service_security_groups_driver',
    ),
    subnetId: nd.serviceSubnet,
    provider: octaviaProvider(k.endpointsDriverOctaviaProvider),
    timeoutClientData: od.timeoutClientData,
    timeoutMemberData: od.timeoutMemberData,
  };
}
