/**
 * @module Builds the libnetwork port pool for the `kuryr libnetwork` and `kuryr gc` commands: REST Neutron,
 * bulk create, and recovery of this host's free pooled ports.
 */
import type { Logger } from 'pino';
import type { ServiceClient } from '../openstack/http/types.js';
import { RestLibnetworkNeutron } from './neutron-rest.js';
import { restBulkCreatePorts } from './port-pool-bulk.js';
import { PortPool, type PortPoolOptions } from './port-pool.js';

/** A port pool over a network client, with this host's free ports already recovered. */
export async function createDockerPortPool(
  client: ServiceClient,
  o: PortPoolOptions & { log: Logger },
): Promise<PortPool> {
  const { log, ...options } = o;
  const pool = new PortPool(
    new RestLibnetworkNeutron(client),
    options,
    log.child({ svc: 'port-pool' }),
    restBulkCreatePorts(client),
  );
  await pool.recover();
  return pool;
}
