/** @module Neutron trunks (`/v2.0/trunks`, extension `trunk`) and their subports. */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import { NeutronResource } from './resource.js';
import type { SubPort, Trunk, TrunkCreate, TrunkUpdate } from './types.js';

/**
 * Client of `/v2.0/trunks`. NOTE: with the OVS agent create the trunk before its parent port is
 * bound; a trunk on a port whose binding failed is refused (409 `ParentPortInUse`).
 */
export class TrunksClient extends NeutronResource<Trunk, TrunkCreate, TrunkUpdate> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2.0/trunks', singular: 'trunk', plural: 'trunks' });
  }

  /**
   * Adds subports (`PUT …/add_subports`). A segmentation id or port already used on the trunk is a
   * ConflictError. @returns the trunk as stored.
   */
  addSubports(
    trunkId: string,
    subPorts: readonly SubPort[],
    opts: RequestOptions = {},
  ): Promise<Trunk> {
    return this.subportAction(trunkId, 'add_subports', subPorts, opts);
  }

  /**
   * Removes subports by port id (`PUT …/remove_subports`). A port that is not a subport of this trunk
   * is a NotFoundError. @returns the trunk as stored.
   */
  removeSubports(
    trunkId: string,
    portIds: readonly string[],
    opts: RequestOptions = {},
  ): Promise<Trunk> {
    const subPorts = portIds.map((port_id) => ({ port_id }));
    return this.subportAction(trunkId, 'remove_subports', subPorts, opts);
  }

  /** The subports of a trunk (`GET …/get_subports`). */
  async getSubports(trunkId: string, opts: RequestOptions = {}): Promise<SubPort[]> {
    const res = await this.http.request<{ sub_ports: SubPort[] }>({
      method: 'GET',
      path: `${this.itemPath(trunkId)}/get_subports`,
      ...opts,
    });
    return res.body.sub_ports;
  }

  private async subportAction(
    trunkId: string,
    action: 'add_subports' | 'remove_subports',
    subPorts: readonly (SubPort | { port_id: string })[],
    opts: RequestOptions,
  ): Promise<Trunk> {
    const res = await this.http.request<Trunk>({
      method: 'PUT',
      path: `${this.itemPath(trunkId)}/${action}`,
      body: { sub_ports: subPorts },
      ...opts,
    });
    return res.body;
  }
}
