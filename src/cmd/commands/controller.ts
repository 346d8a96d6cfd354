/**
 * @module `kuryr controller` — runs the Kubernetes controller: maps kuryr.conf (`[kubernetes]` API
 * access, `enabled_handlers`, `controller_ha`, `use_events`, `watch_reconcile_period`,
 * `[health_server] port`, `[prometheus_exporter] controller_exporter_port`) onto ControllerService and
 * stops cleanly (releasing the Lease) on SIGTERM/SIGINT.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { snakeSection, type KuryrConfig } from '../../common/config/index.js';
import { createMetricsRegistry, serveMetrics } from '../../common/metrics.js';
/* eslint-disable no-restricted-imports -- cmd/ is the composition root; it wires features */
import { DRIVER_HANDLERS, type DriverHandlersDeps } from '../../controller/handlers/registry.js';
import {
  createControllerMetrics,
  type ControllerMetrics,
} from '../../controller/metrics/controller-metrics.js';
import { QuotaMetrics } from '../../controller/metrics/quota-metrics.js';
/* eslint-enable no-restricted-imports */
import type { Registry } from 'prom-client';
import type { KubeApi } from '../../k8s/client.js';
import { NeutronClient } from '../../openstack/neutron/index.js';
import { createOpenStackSession } from '../../openstack/session.js';
import { connectionOptionsFromKeystoneauth } from '../../openstack/session-keystoneauth.js';
import { loadCommandConfig } from './load-config.js';

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The controller hooks that exist only when driver-backed handlers are enabled. */
interface DriverWiring {
  deps: DriverHandlersDeps;
  onActive: (signal: AbortSignal) => Promise<void>;
  onPassive: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Builds the Neutron session and every pod driver once (ARCHITECTURE.md rule 1), plus the hooks that
 * rebuild the port pools from cluster state whenever this replica becomes the leader.
 */
async function wireDrivers(
  api: KubeApi,
  config: KuryrConfig,
  log: Logger,
  metrics: { registry: Registry; controller: ControllerMetrics },
  watchNamespace?: string,
): Promise<DriverWiring> {
  const [{ buildPodDrivers }, lookups, { recoverPools }, { NeutronVifPool }, policyLookup] =
    await Promise.all([
      import('../../controller/drivers/build-drivers.js'),
      import('../../controller/handlers/namespace-lookups.js'),
      import('../../controller/handlers/pool-recovery.js'),
      import('../../controller/drivers/vif-pool/neutron-pool.js'),
      import('../../controller/drivers/security-groups/policy-lookup.js'),
    ]);
  const session = createOpenStackSession(
    connectionOptionsFromKeystoneauth(snakeSection(config, 'neutron')),
    log,
    { observe: metrics.controller.observeOpenStackRequest },
  );
  const neutron = new NeutronClient(session.client('network'));
  // Python Kuryr's quota gauges, read from Neutron at scrape time (only with a project to read).
  const projectId = config.neutronDefaults.project;
  if (projectId) new QuotaMetrics(metrics.registry, { neutron, projectId, log });
  const deps = buildPodDrivers(
    { neutron, config, log },
    {
      namespaceSubnet: lookups.kuryrNetworkSubnetLookup(api),
      namespaceAnnotations: lookups.namespaceAnnotationsLookup(api),
      namespacePolicies: policyLookup.kuryrNetworkPoliciesLookup(api),
    },
  );
  deps.observePodCreationLatency = metrics.controller.observePodCreationLatency;
  // The service/endpoints handlers' spec drivers: resolved (and validated) only when enabled.
  if (config.kubernetes.enabledHandlers.some((a) => a === 'service' || a === 'endpoints')) {
    const { buildServiceSpecDeps } = await import('../../controller/lbaas/spec/deps.js');
    deps.serviceSpec = buildServiceSpecDeps(
      { neutron, config, log },
      { namespaceAnnotations: lookups.namespaceAnnotationsLookup(api) },
    );
  }
  // Octavia (service type load-balancer from the catalog) only when kuryrloadbalancer is enabled.
  if (config.kubernetes.enabledHandlers.includes('kuryrloadbalancer')) {
    const [{ buildLbaasDeps }, { OctaviaClient }] = await Promise.all([
      import('../../controller/lbaas/build-lbaas.js'),
      import('../../openstack/octavia/index.js'),
    ]);
    const octavia = new OctaviaClient(session.client('load-balancer'));
    deps.lbaas = buildLbaasDeps({ neutron, octavia, config, log, podSubnets: deps.subnets });
  }
  const pool = deps.pool instanceof NeutronVifPool ? deps.pool : undefined;
  return {
    deps,
    onActive: async (signal) => {
      const recovered = await recoverPools(api, deps.pool, signal, {
        neutron,
        resourceTags: config.neutronDefaults.resourceTags,
        log,
        ...(watchNamespace ? { namespace: watchNamespace } : {}),
        nested: {
          driver: config.kubernetes.podVifDriver,
          workerSubnets: config.podVifNested.workerNodesSubnets,
          revUpdateAttempts: config.podVifNested.revUpdateAttempts,
        },
      });
      log.info({ recovered }, 'port pools recovered from Neutron');
      pool?.start(config.vifPool.portsPoolUpdateFrequency);
    },
    onPassive: () => Promise.resolve(pool?.stop()),
    close: () => session.close(),
  };
}

interface ControllerFlags {
  kubeconfig?: string;
  leaseNamespace?: string;
  watchNamespace?: string;
  healthHost: string;
}

function leaseNamespace(flag: string | undefined): string {
  if (flag) return flag;
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync(SA_NAMESPACE, 'utf8').trim();
  } catch {
    return 'kube-system';
  }
}

async function run(flags: ControllerFlags, cmd: Command): Promise<void> {
  const { config, log } = await loadCommandConfig(cmd, { name: 'kuryr-controller' });
  const k = config.kubernetes;
  // NOTE: loaded here, not at the top: client-node costs ~1 s of CPU to import and every other
  // `kuryr` sub-command would pay it (DEPENDENCIES.md §1, CNI executable row).
  const [{ resolveHandlers }, { ControllerService }, { KubeClient }, kcm] = await Promise.all([
    import('../../controller/pipeline/handler-registry.js'),
    import('../../controller/service.js'),
    import('../../k8s/client.js'),
    import('../../k8s/kube-config.js'),
  ]);
  const { kubeConfigFromFile, kubeConfigFromOptions } = kcm;
  const kc = flags.kubeconfig ? kubeConfigFromFile(flags.kubeconfig) : kubeConfigFromOptions(k);
  const api = new KubeClient(kc, { timeoutMs: k.watchConnectionTimeout * 1000 || 30_000 });
  // Unknown or unimplemented aliases fail here, before any driver is built: every alias outside
  // DRIVER_HANDLERS is one of those, and resolveHandlers throws naming it (and the implemented ones).
  resolveHandlers(
    k.enabledHandlers.filter((a) => !(a in DRIVER_HANDLERS)),
    DRIVER_HANDLERS,
    undefined as unknown as DriverHandlersDeps,
  );
  const registry = createMetricsRegistry({ defaultMetrics: true });
  const ownMetrics = { registry, controller: createControllerMetrics(registry) };
  const wiring = k.enabledHandlers.some((a) => a in DRIVER_HANDLERS)
    ? await wireDrivers(api, config, log, ownMetrics, flags.watchNamespace)
    : undefined;
  const handlers = resolveHandlers(
    k.enabledHandlers,
    DRIVER_HANDLERS,
    wiring?.deps as DriverHandlersDeps,
  );
  const identity = `${process.env.POD_NAME ?? hostname()}-${randomBytes(3).toString('hex')}`;
  const service = new ControllerService({
    api,
    log,
    handlers,
    registry,
    useEvents: k.useEvents,
    host: process.env.POD_NAME ?? hostname(),
    health: { port: config.healthServer.port, host: flags.healthHost },
    dispatcher: {
      reconcilePeriodMs: k.watchReconcilePeriod * 1000,
      concurrency: k.handlerWorkers,
      ...(flags.watchNamespace ? { watchNamespace: flags.watchNamespace } : {}),
    },
    ...(k.controllerHa
      ? { ha: { namespace: leaseNamespace(flags.leaseNamespace), identity } }
      : {}),
    ...(wiring ? { onActive: wiring.onActive, onPassive: wiring.onPassive } : {}),
  });
  // [kubernetes] enable_manager: the pool manager socket; it answers only while handlers run (leader,
  // pools recovered).
  const manager = k.enableManager
    ? await (
        await import('../../controller/pool-manager/start.js')
      ).startPoolManager({
        socketPath: config.poolManager.sockFile,
        api,
        log,
        drivers: wiring?.deps,
        active: () => service.activeDispatcher !== undefined,
      })
    : undefined;
  await service.start();
  const exporterPort = config.prometheusExporter.controllerExporterPort;
  const metrics =
    exporterPort !== config.healthServer.port
      ? await serveMetrics(registry, { port: exporterPort, host: flags.healthHost })
      : undefined;
  log.info({ identity, ha: k.controllerHa, healthPort: service.healthPort }, 'controller started');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  log.info('controller stopping');
  await manager?.close();
  await service.stop();
  await metrics?.close();
  await wiring?.close();
}

/** Registers `controller` on the `kuryr` program. */
export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description(
      'run the Kubernetes controller (informers → handlers; Lease HA with controller_ha)',
    )
    .option('--kubeconfig <path>', 'use a kubeconfig file instead of [kubernetes] api_root/ssl_*')
    .option(
      '--lease-namespace <ns>',
      'namespace of the HA Lease (default: POD_NAMESPACE, own SA namespace, kube-system)',
    )
    .option('--health-host <host>', 'address of the health and metrics listeners', '127.0.0.1')
    .option(
      '--watch-namespace <ns>',
      'handle only objects of this namespace (development, tests sharing an API server)',
    )
    .action(run);
}
