/**
 * @module The VIP port of a Service load balancer, created in Neutron by kuryr with the clusterIP as its
 * fixed IP and handed to Octavia as `vip_port_id`: the VIP is then exactly the clusterIP whatever
 * Octavia's network driver would pick, and a floating IP can be associated with a real Neutron port.
 */
import { ConflictError, isConflictError, isNotFoundError } from '../../common/errors/index.js';
import type { NeutronClient, Port } from '../../openstack/neutron/index.js';
import { VIP_PORT_OWNER } from './names.js';
import type { LbaasCallOptions, LoadBalancerRequest } from './types.js';

/** The port and whether it already existed (a previous run created it). */
export interface VipPort {
  port: Port;
  existed: boolean;
}

/** Creates, finds and deletes kuryr's VIP ports. */
export class VipPorts {
  constructor(
    private readonly neutron: NeutronClient,
    private readonly resourceTags: readonly string[] = [],
  ) {}

  /**
   * Creates the VIP port, or returns the one a previous run created (same address, kuryr's owner).
   * @throws ConflictError when another port holds the address.
   */
  async ensure(req: LoadBalancerRequest, o: LbaasCallOptions = {}): Promise<VipPort> {
    const subnet = await this.neutron.subnets.get(req.subnetId, o);
    try {
      const body = {
        network_id: subnet.network_id,
        name: req.name,
        device_owner: VIP_PORT_OWNER,
        project_id: req.projectId,
        fixed_ips: [{ subnet_id: req.subnetId, ip_address: req.ip }],
        ...(req.securityGroupIds.length > 0 ? { security_groups: [...req.securityGroupIds] } : {}),
      };
      const port = await this.neutron.ports.createTagged(body, this.resourceTags, o);
      return { port, existed: false };
    } catch (error) {
      if (!isConflictError(error)) throw error;
      const port = await this.find(req, o);
      if (port === undefined) {
        throw new ConflictError(
          `clusterIP ${req.ip} of ${req.name} is held by a Neutron port kuryr did not create ` +
            `on subnet ${req.subnetId}`,
          { cause: error },
        );
      }
      return { port, existed: true };
    }
  }

  /** kuryr's VIP port holding `req.ip` on `req.subnetId`, if any. */
  async find(req: LoadBalancerRequest, o: LbaasCallOptions = {}): Promise<Port | undefined> {
    const ports = await this.neutron.ports.listAll(
      { fixed_ips: [`subnet_id=${req.subnetId}`, `ip_address=${req.ip}`] },
      o,
    );
    return ports.find((p) => p.device_owner === VIP_PORT_OWNER && p.name === req.name);
  }

  /** Deletes the port when kuryr created it; Octavia's own VIP ports are Octavia's to delete. */
  async release(portId: string, o: LbaasCallOptions = {}): Promise<void> {
    try {
      const port = await this.neutron.ports.get(portId, o);
      if (port.device_owner === VIP_PORT_OWNER) await this.neutron.ports.deleteIfExists(portId, o);
    } catch (error) {
      if (!isNotFoundError(error)) throw error;
    }
  }

  /** Replaces the security groups of a kuryr-created VIP port. */
  async updateSecurityGroups(
    portId: string,
    sgIds: readonly string[],
    o: LbaasCallOptions = {},
  ): Promise<void> {
    const port = await this.neutron.ports.get(portId, o);
    if (port.device_owner !== VIP_PORT_OWNER) return;
    const same =
      port.security_groups.length === sgIds.length &&
      sgIds.every((s) => port.security_groups.includes(s));
    if (!same) await this.neutron.ports.update(portId, { security_groups: [...sgIds] }, o);
  }
}
