/**
 * @module The handlers built on the controller drivers (`vif`, `kuryrport`, `namespace`,
 * `kuryrnetwork`) as a registry the controller's composition root merges into its own
 * (src/controller/pipeline/handler-registry.ts).
 */
import { ConfigurationError } from '../../common/errors/index.js';
import type { ProjectDriver } from '../drivers/project/types.js';
import { NamespaceSubnetsDriver } from '../drivers/subnets/namespace.js';
import type { ServiceSpecDeps } from '../lbaas/spec/deps.js';
import { KlbSpecWriter } from '../lbaas/spec/klb-writer.js';
import type { HandlerRegistry } from '../pipeline/handler-registry.js';
import { EndpointsHandler } from './endpoints.js';
import { KuryrNetworkHandler } from './kuryrnetwork.js';
import { KuryrPortHandler, type KuryrPortHandlerDeps } from './kuryrport.js';
import { NamespaceHandler } from './namespace.js';
import { ServiceHandler } from './service.js';
import { VifHandler } from './vif.js';

/** What these handlers are built from (see `buildPodDrivers`). */
export interface DriverHandlersDeps extends KuryrPortHandlerDeps {
  /** `[kubernetes] namespace_project_driver`. */
  namespaceProject: ProjectDriver;
  /** Service → KuryrLoadBalancer spec drivers (`service`, `endpoints`; lbaas/spec/deps.ts). */
  serviceSpec?: ServiceSpecDeps;
}

function klbWriter(d: DriverHandlersDeps): KlbSpecWriter {
  if (d.serviceSpec === undefined) {
    throw new ConfigurationError(
      'the service/endpoints handlers need the service spec drivers (buildServiceSpecDeps)',
    );
  }
  return new KlbSpecWriter(d.serviceSpec);
}

/** `vif`, `kuryrport`, `namespace`, `kuryrnetwork`. */
export const DRIVER_HANDLERS: HandlerRegistry<DriverHandlersDeps> = {
  vif: () => new VifHandler(),
  kuryrport: (d) => new KuryrPortHandler(d),
  namespace: (d) => new NamespaceHandler(d.namespaceProject),
  kuryrnetwork: (d) => {
    if (!(d.subnets instanceof NamespaceSubnetsDriver)) {
      throw new ConfigurationError(
        "[kubernetes] enabled_handlers 'kuryrnetwork' needs pod_subnets_driver = namespace",
      );
    }
    return new KuryrNetworkHandler(d.subnets, d.pool);
  },
  service: (d) => new ServiceHandler(klbWriter(d)),
  endpoints: (d) => new EndpointsHandler(klbWriter(d)),
};
