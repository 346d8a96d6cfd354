/**
 * @module The typed Neutron v2.0 client: one sub-client per resource over one `ServiceClient`
 * (service type `network`). No state besides the extension cache; safe to share.
 */
import type { ServiceClient } from '../http/types.js';
import { ExtensionsClient } from './extensions.js';
import { FloatingIpsClient } from './floating-ips.js';
import { NetworksClient } from './networks.js';
import { PortForwardingsClient } from './port-forwardings.js';
import { PortsClient } from './ports.js';
import { QuotasClient } from './quotas.js';
import { RoutersClient } from './routers.js';
import { SecurityGroupRulesClient } from './security-group-rules.js';
import { SecurityGroupsClient } from './security-groups.js';
import { SubnetPoolsClient } from './subnetpools.js';
import { SubnetsClient } from './subnets.js';
import { TagsClient } from './tags.js';
import { TrunksClient } from './trunks.js';

export type * from './types.js';
export type { RequestOptions, UpdateOptions } from './request-options.js';
export { NeutronResource, type ResourceSpec } from './resource.js';
export { encodeFilters } from './query.js';

/**
 * Neutron client. Errors are the transport's typed errors (src/openstack/http/errors.ts): NotFound is a
 * NotFoundError, 409 kinds ConflictError, quota/5xx NotReadyError, 400 ValidationError.
 *
 * @example
 * const neutron = new NeutronClient(session.client('network'));
 * const net = await neutron.networks.createTagged({ name: 'kuryr-net-1234abcd' }, [lh, uh]);
 * const port = await neutron.ports.findOne({ tags: [lh, uh] });
 */
export class NeutronClient {
  readonly networks: NetworksClient;
  readonly subnets: SubnetsClient;
  readonly subnetpools: SubnetPoolsClient;
  readonly ports: PortsClient;
  readonly securityGroups: SecurityGroupsClient;
  readonly securityGroupRules: SecurityGroupRulesClient;
  readonly trunks: TrunksClient;
  readonly routers: RoutersClient;
  readonly floatingIps: FloatingIpsClient;
  readonly portForwardings: PortForwardingsClient;
  readonly quotas: QuotasClient;
  readonly extensions: ExtensionsClient;
  readonly tags: TagsClient;

  constructor(readonly http: ServiceClient) {
    this.networks = new NetworksClient(http);
    this.subnets = new SubnetsClient(http);
    this.subnetpools = new SubnetPoolsClient(http);
    this.ports = new PortsClient(http);
    this.securityGroups = new SecurityGroupsClient(http);
    this.securityGroupRules = new SecurityGroupRulesClient(http);
    this.trunks = new TrunksClient(http);
    this.routers = new RoutersClient(http);
    this.floatingIps = new FloatingIpsClient(http);
    this.portForwardings = new PortForwardingsClient(http);
    this.quotas = new QuotasClient(http);
    this.extensions = new ExtensionsClient(http);
    this.tags = new TagsClient(http);
  }
}
