/**
 * @module Wires the libnetwork services, routes and server from their dependencies (Neutron, host binder,
 * options, logger). Used by the `kuryr libnetwork` command and by the in-process integration tests.
 */
import type { Logger } from 'pino';
import type { HostBinder } from './host-binder.js';
import type { LibnetworkNeutron } from './neutron-port.js';
import type { LibnetworkOptions } from './options.js';
import type { PortPool } from './port-pool.js';
import { buildRoutes } from './routes.js';
import { LibnetworkServer, type CallObserver } from './server.js';
import { EndpointService } from './services/endpoint-service.js';
import { ExternalConnectivityService } from './services/external-connectivity-service.js';
import { IpamService } from './services/ipam-service.js';
import { NetworkService } from './services/network-service.js';
import { NeutronLookup } from './services/neutron-lookup.js';

/** Dependencies of the plugin. */
export interface LibnetworkDeps {
  neutron: LibnetworkNeutron;
  binder: HostBinder;
  options: LibnetworkOptions;
  log: Logger;
  observe?: CallObserver;
  /** `[vif_pool]` port pool (docs/docker.md "Port pool"); absent = no pool. */
  portPool?: PortPool;
}

/** Builds a ready-to-listen plugin server. */
export function createLibnetworkServer(deps: LibnetworkDeps): LibnetworkServer {
  const { neutron, binder, options, log } = deps;
  const lookup = new NeutronLookup(neutron, options.tagMode);
  const ipam = new IpamService(neutron, lookup, options, log.child({ svc: 'ipam' }), deps.portPool);
  const external = new ExternalConnectivityService(
    neutron,
    lookup,
    options,
    log.child({ svc: 'external' }),
  );
  const routes = buildRoutes({
    options,
    ipam,
    external,
    networks: new NetworkService(
      neutron,
      lookup,
      ipam,
      options,
      log.child({ svc: 'network' }),
      deps.portPool,
    ),
    endpoints: new EndpointService(
      neutron,
      lookup,
      binder,
      options,
      log.child({ svc: 'endpoint' }),
      external,
    ),
  });
  return new LibnetworkServer(routes, log, deps.observe);
}
