/**
 * @module Neutron bulk port create (`POST /v2.0/ports` with `{"ports": [...]}`): the port pool makes a whole
 * batch in ONE request.
 */
import type { ServiceClient } from '../openstack/http/types.js';
import type { Port } from './neutron-port.js';
import type { BulkCreatePorts } from './port-pool.js';

/** A `BulkCreatePorts` over a network `ServiceClient` (the client's deadline applies). */
export function restBulkCreatePorts(client: ServiceClient): BulkCreatePorts {
  return async (bodies) => {
    const res = await client.request<{ ports: Port[] }>({
      method: 'POST',
      path: '/v2.0/ports',
      body: { ports: bodies },
    });
    return res.body.ports.map((p) => ({ ...p, tags: p.tags ?? [] }));
  };
}
