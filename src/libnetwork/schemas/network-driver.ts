/**
 * @module zod schemas of the NetworkDriver calls (PROTOCOLS.md A.3). Unknown fields pass through (newer dockerd
 * may add some); missing required fields or wrong types are a 400 before any Neutron call.
 */
import { z } from 'zod';

const dockerId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9]+$/, 'must be alphanumeric');

const ipData = z.looseObject({
  AddressSpace: z.string().optional(),
  Pool: z.string().min(1),
  Gateway: z.string().optional(),
  AuxAddresses: z.record(z.string(), z.string()).nullish(),
});

/** `com.docker.network.endpoint.exposedports` entries. */
const exposedPort = z.looseObject({
  Proto: z.number().int(),
  Port: z.number().int().min(0).max(65535),
});

/** Options of CreateEndpoint / Join / ProgramExternalConnectivity. */
const endpointOptions = z
  .looseObject({
    'com.docker.network.endpoint.exposedports': z.array(exposedPort).nullish(),
    'com.docker.network.endpoint.macaddress': z.string().nullish(),
  })
  .nullish();

export const CreateNetworkRequest = z.looseObject({
  NetworkID: dockerId,
  Options: z
    .looseObject({
      'com.docker.network.enable_ipv6': z.boolean().optional(),
      'com.docker.network.generic': z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
  IPv4Data: z.array(ipData).nullish(),
  IPv6Data: z.array(ipData).nullish(),
});
export type CreateNetworkRequest = z.infer<typeof CreateNetworkRequest>;

export const NetworkIdRequest = z.looseObject({ NetworkID: dockerId });
export type NetworkIdRequest = z.infer<typeof NetworkIdRequest>;

export const AllocateNetworkRequest = z.looseObject({
  NetworkID: dockerId,
  Options: z.record(z.string(), z.unknown()).nullish(),
});

export const CreateEndpointRequest = z.looseObject({
  NetworkID: dockerId,
  EndpointID: dockerId,
  Interface: z
    .looseObject({
      Address: z.string().optional(),
      AddressIPv6: z.string().optional(),
      MacAddress: z.string().optional(),
    })
    .nullish(),
  Options: endpointOptions,
});
export type CreateEndpointRequest = z.infer<typeof CreateEndpointRequest>;

export const EndpointRequest = z.looseObject({ NetworkID: dockerId, EndpointID: dockerId });
export type EndpointRequest = z.infer<typeof EndpointRequest>;

export const JoinRequest = z.looseObject({
  NetworkID: dockerId,
  EndpointID: dockerId,
  SandboxKey: z.string().optional(),
  Options: endpointOptions,
});
export type JoinRequest = z.infer<typeof JoinRequest>;

export const ExternalConnectivityRequest = z.looseObject({
  NetworkID: dockerId,
  EndpointID: dockerId,
  Options: endpointOptions,
});
export type ExternalConnectivityRequest = z.infer<typeof ExternalConnectivityRequest>;

export const DiscoveryRequest = z.looseObject({
  DiscoveryType: z.number().int().optional(),
  DiscoveryData: z.unknown().optional(),
});

/** Any object (calls without a body: Activate, GetCapabilities). */
export const EmptyRequest = z.looseObject({});
