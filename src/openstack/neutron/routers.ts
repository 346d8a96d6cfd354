/** @module Neutron routers (`/v2.0/routers`, extension `router`) and their interfaces. */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import { NeutronResource } from './resource.js';
import type {
  Router,
  RouterCreate,
  RouterInterfaceInfo,
  RouterInterfaceRequest,
  RouterUpdate,
} from './types.js';

/** Client of `/v2.0/routers`. */
export class RoutersClient extends NeutronResource<Router, RouterCreate, RouterUpdate> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2.0/routers', singular: 'router', plural: 'routers' });
  }

  /**
   * Attaches a subnet (Neutron creates the gateway port) or an existing port
   * (`PUT …/add_router_interface`). A subnet already attached is a ValidationError (400).
   */
  addInterface(
    routerId: string,
    target: RouterInterfaceRequest,
    opts: RequestOptions = {},
  ): Promise<RouterInterfaceInfo> {
    return this.interfaceAction(routerId, 'add_router_interface', target, opts);
  }

  /**
   * Detaches a subnet or port (`PUT …/remove_router_interface`).
   * @throws NotFoundError when it is not attached (404 `RouterInterfaceNotFound…`).
   */
  removeInterface(
    routerId: string,
    target: RouterInterfaceRequest,
    opts: RequestOptions = {},
  ): Promise<RouterInterfaceInfo> {
    return this.interfaceAction(routerId, 'remove_router_interface', target, opts);
  }

  private async interfaceAction(
    routerId: string,
    action: 'add_router_interface' | 'remove_router_interface',
    target: RouterInterfaceRequest,
    opts: RequestOptions,
  ): Promise<RouterInterfaceInfo> {
    const res = await this.http.request<RouterInterfaceInfo>({
      method: 'PUT',
      path: `${this.itemPath(routerId)}/${action}`,
      body: target,
      ...opts,
    });
    return res.body;
  }
}
