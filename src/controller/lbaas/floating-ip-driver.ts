/**
 * @module `neutron_floating_ip`: the PublicIpDriver of LoadBalancer Services. A floating IP is allocated on
 * `[neutron_defaults] external_svc_net` (and `external_svc_subnet` when set) with the original's
 * description `kuryr_lb`, or the user's `loadBalancerIP` is adopted when it is a free floating IP; either
 * is associated with the load balancer's VIP port. An allocation is associated in its own POST, so a
 * crash before the KuryrLoadBalancer status records it cannot leak it: the next attempt finds it by the
 * VIP port (the Python Kuryr allocated first and associated later, leaking the address on such a crash).
 */
import {
  ConfigurationError,
  ConflictError,
  NotReadyError,
  isNotFoundError,
} from '../../common/errors/index.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import type { LbaasCallOptions, PubIpInfo, PublicIpDriver } from './types.js';

/** The original's description of the floating IPs it allocates for load balancers. */
const FIP_DESCRIPTION = 'kuryr_lb';

/**
 * Neutron answers 404 when the external network is not reachable from the port's subnet (no router):
 * a state the operator can fix, so the caller retries.
 */
function unreachable(error: unknown, what: string): unknown {
  if (!isNotFoundError(error)) return error;
  return new NotReadyError(
    `cannot associate ${what}: ${(error as Error).message}` +
      ' (is the service subnet attached to a router with a gateway on the external network?)',
    { cause: error },
  );
}

/** Settings from `[neutron_defaults]`. */
export interface FloatingIpDriverOptions {
  externalNetworkId?: string | undefined;
  externalSubnetId?: string | undefined;
  resourceTags?: readonly string[];
}

/** The Neutron floating-IP implementation of {@link PublicIpDriver}. */
export class FloatingIpDriver implements PublicIpDriver {
  constructor(
    private readonly neutron: NeutronClient,
    private readonly opts: FloatingIpDriverOptions,
  ) {}

  async acquire(
    projectId: string,
    lbIp: string | undefined,
    vipPortId: string,
    o: LbaasCallOptions = {},
  ): Promise<PubIpInfo> {
    if (lbIp) {
      // loadBalancerIP: the user pre-allocated this floating IP; it must not serve anything else.
      const fip = await this.neutron.floatingIps.findOne({ floating_ip_address: lbIp }, o);
      if (fip === undefined || fip.port_id) {
        throw new ConflictError(
          `loadBalancerIP ${lbIp} is ${fip ? 'already associated with another port' : 'no floating IP of this cloud'}`,
        );
      }
      return { ip_id: fip.id, ip_addr: fip.floating_ip_address, alloc_method: 'user' };
    }
    const net = this.opts.externalNetworkId;
    if (!net) {
      throw new ConfigurationError(
        '[neutron_defaults] external_svc_net is required for Services of type LoadBalancer',
      );
    }
    const earlier = (await this.neutron.floatingIps.listAll({ port_id: vipPortId }, o)).find(
      (f) => f.description === FIP_DESCRIPTION,
    );
    if (earlier !== undefined) {
      return { ip_id: earlier.id, ip_addr: earlier.floating_ip_address, alloc_method: 'pool' };
    }
    const body = {
      floating_network_id: net,
      project_id: projectId,
      description: FIP_DESCRIPTION,
      port_id: vipPortId,
      ...(this.opts.externalSubnetId ? { subnet_id: this.opts.externalSubnetId } : {}),
    };
    let fip;
    try {
      fip = await this.neutron.floatingIps.createTagged(body, this.opts.resourceTags ?? [], o);
    } catch (error) {
      throw unreachable(error, `a floating IP for VIP port ${vipPortId}`);
    }
    return { ip_id: fip.id, ip_addr: fip.floating_ip_address, alloc_method: 'pool' };
  }

  async associate(info: PubIpInfo, portId: string, o: LbaasCallOptions = {}): Promise<void> {
    // One PUT; associating again with the same port is a no-op for Neutron.
    try {
      await this.neutron.floatingIps.associate(info.ip_id, portId, undefined, o);
    } catch (error) {
      if (!isNotFoundError(error)) throw error;
      // Neutron answers 404 both for a missing floating IP and for "external network not reachable
      // from the port's subnet" (no router): only the first is a NotFound for the caller.
      await this.neutron.floatingIps.get(info.ip_id, o);
      throw unreachable(error, `floating IP ${info.ip_addr} with VIP port ${portId}`);
    }
  }

  async disassociate(info: PubIpInfo, o: LbaasCallOptions = {}): Promise<void> {
    try {
      await this.neutron.floatingIps.disassociate(info.ip_id, o);
    } catch (error) {
      if (!isNotFoundError(error)) throw error;
    }
  }

  async release(info: PubIpInfo, o: LbaasCallOptions = {}): Promise<void> {
    if (info.alloc_method === 'pool') await this.neutron.floatingIps.deleteIfExists(info.ip_id, o);
    else await this.disassociate(info, o);
  }
}
