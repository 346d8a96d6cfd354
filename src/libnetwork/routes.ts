/**
 * @module The Docker plugin route table (PROTOCOLS.md A.3, A.4): path → schema, lock key, service call.
 * Locks are per NetworkID / EndpointID / PoolID (ARCHITECTURE.md §2), never global.
 */
import type { z } from 'zod';
import * as ipamSchemas from './schemas/ipam-driver.js';
import * as netSchemas from './schemas/network-driver.js';
import type { EndpointService } from './services/endpoint-service.js';
import type { ExternalConnectivityService } from './services/external-connectivity-service.js';
import type { IpamService } from './services/ipam-service.js';
import type { NetworkService } from './services/network-service.js';
import type { LibnetworkOptions } from './options.js';

/** One plugin call. */
export interface Route {
  schema: z.ZodType;
  /** IPAM calls also carry `Error` in failure replies. */
  ipam: boolean;
  /** Serialisation key, or undefined for calls that need none. */
  key?: (req: never) => string;
  handle: (req: never) => Promise<Record<string, unknown> | void>;
}

/** The services the routes call. */
export interface LibnetworkServices {
  networks: NetworkService;
  endpoints: EndpointService;
  ipam: IpamService;
  external: ExternalConnectivityService;
  options: LibnetworkOptions;
}

function route<S extends z.ZodType>(
  schema: S,
  ipam: boolean,
  handle: (req: z.infer<S>) => Promise<Record<string, unknown> | void>,
  key?: (req: z.infer<S>) => string,
): Route {
  return { schema, ipam, handle, key };
}

/** A resolved reply for calls that need no I/O. */
const ok = (v: Record<string, unknown>) => Promise.resolve(v);

type NetReq = { NetworkID: string };
type EpReq = { NetworkID: string; EndpointID: string };
const netKey = (r: NetReq) => `net:${r.NetworkID}`;
const epKey = (r: EpReq) => `ep:${r.EndpointID}`;
const exposed = (o: unknown) =>
  ((o as Record<string, unknown> | null | undefined)?.[
    'com.docker.network.endpoint.exposedports'
  ] ?? []) as { Proto: number; Port: number }[];

/** Builds the route table over the services. */
export function buildRoutes(s: LibnetworkServices): Map<string, Route> {
  const empty = netSchemas.EmptyRequest;
  const o = s.options;
  return new Map<string, Route>([
    [
      '/Plugin.Activate',
      route(empty, false, () => ok({ Implements: ['NetworkDriver', 'IpamDriver'] })),
    ],
    [
      '/NetworkDriver.GetCapabilities',
      route(empty, false, () =>
        ok({
          Scope: o.capabilityScope,
          ConnectivityScope: o.capabilityScope,
        }),
      ),
    ],
    [
      '/NetworkDriver.CreateNetwork',
      route(netSchemas.CreateNetworkRequest, false, (r) => s.networks.createNetwork(r), netKey),
    ],
    [
      '/NetworkDriver.DeleteNetwork',
      route(
        netSchemas.NetworkIdRequest,
        false,
        (r) => s.networks.deleteNetwork(r.NetworkID),
        netKey,
      ),
    ],
    [
      '/NetworkDriver.AllocateNetwork',
      route(netSchemas.AllocateNetworkRequest, false, (r) => ok({ Options: r.Options ?? {} })),
    ],
    ['/NetworkDriver.FreeNetwork', route(netSchemas.NetworkIdRequest, false, () => ok({}))],
    [
      '/NetworkDriver.CreateEndpoint',
      route(netSchemas.CreateEndpointRequest, false, (r) => s.endpoints.createEndpoint(r), epKey),
    ],
    [
      '/NetworkDriver.EndpointOperInfo',
      // called 1–3× per attach and shown nowhere: answer without Neutron (PROTOCOLS.md A.3)
      route(netSchemas.EndpointRequest, false, () => ok({ Value: {} })),
    ],
    [
      '/NetworkDriver.DeleteEndpoint',
      route(
        netSchemas.EndpointRequest,
        false,
        (r) => s.endpoints.deleteEndpoint(r.EndpointID),
        epKey,
      ),
    ],
    [
      '/NetworkDriver.Join',
      route(
        netSchemas.JoinRequest,
        false,
        (r) => s.endpoints.join(r.NetworkID, r.EndpointID),
        epKey,
      ),
    ],
    ['/NetworkDriver.Leave', route(netSchemas.EndpointRequest, false, () => ok({}), epKey)],
    ['/NetworkDriver.DiscoverNew', route(netSchemas.DiscoveryRequest, false, () => ok({}))],
    ['/NetworkDriver.DiscoverDelete', route(netSchemas.DiscoveryRequest, false, () => ok({}))],
    [
      '/NetworkDriver.ProgramExternalConnectivity',
      route(
        netSchemas.ExternalConnectivityRequest,
        false,
        (r) => s.external.program(r.EndpointID, exposed(r.Options)),
        epKey,
      ),
    ],
    [
      '/NetworkDriver.RevokeExternalConnectivity',
      route(netSchemas.EndpointRequest, false, (r) => s.external.revoke(r.EndpointID), epKey),
    ],
    [
      '/IpamDriver.GetCapabilities',
      route(empty, true, () =>
        ok({ RequiresMACAddress: s.ipam.requiresMacAddress(), RequiresRequestReplay: false }),
      ),
    ],
    [
      '/IpamDriver.GetDefaultAddressSpaces',
      route(empty, true, () =>
        ok({
          LocalDefaultAddressSpace: o.localDefaultAddressSpace,
          GlobalDefaultAddressSpace: o.globalDefaultAddressSpace,
        }),
      ),
    ],
    [
      '/IpamDriver.RequestPool',
      route(
        ipamSchemas.RequestPoolRequest,
        true,
        (r) => s.ipam.requestPool(r),
        (r) => `pool:${r.Pool ?? ''}|${r.V6 === true}`,
      ),
    ],
    [
      '/IpamDriver.ReleasePool',
      route(
        ipamSchemas.ReleasePoolRequest,
        true,
        (r) => s.ipam.releasePool(r.PoolID),
        (r) => `pool:${r.PoolID}`,
      ),
    ],
    [
      '/IpamDriver.RequestAddress',
      route(ipamSchemas.RequestAddressRequest, true, (r) => s.ipam.requestAddress(r)),
    ],
    [
      '/IpamDriver.ReleaseAddress',
      route(
        ipamSchemas.ReleaseAddressRequest,
        true,
        (r) => s.ipam.releaseAddress(r.PoolID, r.Address),
        (r) => `addr:${r.PoolID}|${r.Address}`,
      ),
    ],
  ]);
}
