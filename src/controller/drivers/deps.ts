/**
 * @module What every controller driver factory receives: the Neutron client, the typed kuryr.conf and a
 * logger (constructor injection, ARCHITECTURE.md rule 1). Built once by the controller's composition root.
 */
import type { Logger } from 'pino';
import type { KuryrConfig } from '../../common/config/index.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';

/** Dependencies of a driver factory. */
export interface DriverDeps {
  neutron: NeutronClient;
  config: KuryrConfig;
  log: Logger;
}
