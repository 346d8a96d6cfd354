/**
 * @module Resolves the load-balancer plug-in points of kuryr.conf once (ARCHITECTURE.md rule 1):
 * `[kubernetes] endpoints_lbaas_driver` (`lbaasv2`) and `service_public_ip_driver`
 * (`neutron_floating_ip`), with `[octavia_defaults]` and `[neutron_defaults]` settings.
 */
import type { Logger } from 'pino';
import type { KuryrConfig } from '../../common/config/index.js';
import { ConfigurationError } from '../../common/errors/index.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import type { OctaviaClient } from '../../openstack/octavia/index.js';
import { FloatingIpDriver } from './floating-ip-driver.js';
import type { SubnetsDriver } from '../drivers/subnets/types.js';
import { KlbSync } from './klb-sync.js';
import { MemberSubnets } from './member-subnets.js';
import { OctaviaLbaasDriver } from './octavia-driver.js';
import type { LbaasDriver, PublicIpDriver } from './types.js';

/** What the `kuryrloadbalancer` handler is built from. */
export interface LbaasHandlerDeps {
  sync: KlbSync;
  lbaas: LbaasDriver;
  pubIp: PublicIpDriver;
}

/** Inputs of {@link buildLbaasDeps}. */
export interface BuildLbaasInput {
  neutron: NeutronClient;
  octavia: OctaviaClient;
  config: KuryrConfig;
  log: Logger;
  /** The pod subnets driver: where `[octavia_defaults] member_mode = L2` looks member addresses up. */
  podSubnets?: SubnetsDriver;
}

const LBAAS_ALIASES = ['lbaasv2'];
const PUBLIC_IP_ALIASES = ['neutron_floating_ip'];

/**
 * Builds the Octavia driver, the floating-IP driver and the sync.
 * @throws ConfigurationError for an unknown driver alias.
 */
export function buildLbaasDeps(d: BuildLbaasInput): LbaasHandlerDeps {
  const k = d.config.kubernetes;
  const nd = d.config.neutronDefaults;
  const od = d.config.octaviaDefaults;
  if (!LBAAS_ALIASES.includes(k.endpointsLbaasDriver)) {
    throw new ConfigurationError(
      `[kubernetes] endpoints_lbaas_driver = ${k.endpointsLbaasDriver} is unknown (valid: ${LBAAS_ALIASES.join(', ')})`,
    );
  }
  if (!PUBLIC_IP_ALIASES.includes(k.servicePublicIpDriver)) {
    throw new ConfigurationError(
      `[kubernetes] service_public_ip_driver = ${k.servicePublicIpDriver} is unknown (valid: ${PUBLIC_IP_ALIASES.join(', ')})`,
    );
  }
  if (od.memberMode === 'L2' && d.podSubnets === undefined) {
    throw new ConfigurationError(
      '[octavia_defaults] member_mode = L2 needs the pod subnets driver (the controller wires it)',
    );
  }
  const log = d.log.child({ component: 'lbaas' });
  const lbaas = new OctaviaLbaasDriver(d.octavia, d.neutron, log, {
    resourceTags: nd.resourceTags,
    lbAlgorithm: od.lbAlgorithm,
    activationTimeoutMs: nd.lbaasActivationTimeout * 1000,
  });
  const pubIp = new FloatingIpDriver(d.neutron, {
    externalNetworkId: nd.externalSvcNet,
    externalSubnetId: nd.externalSvcSubnet,
    resourceTags: nd.resourceTags,
  });
  const sync = new KlbSync(
    lbaas,
    pubIp,
    {
      provider: k.endpointsDriverOctaviaProvider,
      serviceSubnetId: nd.serviceSubnet,
      projectId: nd.project,
      enforceSgRules: od.enforceSgRules,
      memberSubnets: new MemberSubnets(
        {
          mode: od.memberMode,
          podSubnets: d.podSubnets,
          workerNodesSubnets: d.config.podVifNested.workerNodesSubnets,
          neutron: d.neutron,
        },
        log,
      ),
      timeoutClientData: od.timeoutClientData,
      timeoutMemberData: od.timeoutMemberData,
    },
    log,
  );
  return { sync, lbaas, pubIp };
}
