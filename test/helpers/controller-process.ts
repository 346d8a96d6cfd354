/**
 * Runs the real `kuryr controller` as a child process against the test bed, for e2e tests and benches:
 * writes a kuryr.conf with the bed's admin credentials and the caller's pod network, and keeps the tail
 * of the controller's output for failure messages.
 *
 * @module test/helpers/controller-process
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenStackEnv } from './openstack-env.js';

const ROOT = join(fileURLToPath(import.meta.url), '../../..');

/** What the controller's `[neutron_defaults]` and `[kubernetes]` get. */
export interface ControllerSettings {
  projectId: string;
  podSubnetId: string;
  podSecurityGroupIds: string[];
  /** `[neutron_defaults] resource_tags`; none by default. */
  resourceTags?: string[];
  /** @default 'vif,kuryrport' */
  enabledHandlers?: string;
  /** @default 'noop' */
  vifPoolDriver?: string;
  /** `[kubernetes] pod_vif_driver`. @default 'neutron-vif' */
  podVifDriver?: string;
  /** `[pod_vif_nested] worker_nodes_subnets` (nested drivers). */
  workerNodesSubnets?: string[];
  /** `[neutron_defaults] service_subnet` / `external_svc_net` (service, kuryrloadbalancer handlers). */
  services?: { subnetId: string; externalNetworkId?: string };
  /** `[kubernetes] pod_security_groups_driver`. @default 'default' */
  podSecurityGroupsDriver?: 'default' | 'policy';
  /** `[kubernetes] pod_subnets_driver`. @default 'default' */
  podSubnetsDriver?: 'default' | 'namespace';
  /** `[namespace_subnet]` (pod_subnets_driver = namespace). */
  namespaceSubnet?: { routerId: string; subnetPoolId: string };
  /** `[vif_pool]` sizes (vif_pool_driver = neutron). */
  vifPool?: { min?: number; batch?: number; max?: number; updateFrequency?: number };
  /** `[kubernetes] controller_ha` with the Lease in this namespace (`--lease-namespace`). */
  ha?: { leaseNamespace: string };
  /**
   * `--watch-namespace`: handle only this namespace, so suites sharing the API server do not handle
   * each other's pods. @default all namespaces
   */
  watchNamespace?: string;
  /** Extra environment (e.g. `POD_NAME`, which prefixes the HA identity). */
  env?: Record<string, string>;
  /** `[DEFAULT] debug`: log every OpenStack request (benches count them). */
  debug?: boolean;
}

/** A running controller; `log()` is the last 4000 characters it printed. */
export interface ControllerProcess {
  child: ChildProcess;
  log(): string;
  /** Every JSON log line printed so far, parsed (pino records). */
  records(): Record<string, unknown>[];
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

function controllerConf(os: OpenStackEnv, s: ControllerSettings): string {
  return [
    '[DEFAULT]',
    `host = ${os.bindingHost}`,
    ...(s.debug ? ['debug = True'] : []),
    '[neutron]',
    'auth_type = password',
    `auth_url = ${os.authUrl}`,
    `username = ${os.username}`,
    `password = ${os.password.replaceAll('$', '$$')}`,
    `project_name = ${os.projectName}`,
    `user_domain_name = ${os.userDomainName}`,
    `project_domain_name = ${os.projectDomainName}`,
    `region_name = ${os.region}`,
    '[kubernetes]',
    `enabled_handlers = ${s.enabledHandlers ?? 'vif,kuryrport'}`,
    `pod_vif_driver = ${s.podVifDriver ?? 'neutron-vif'}`,
    `vif_pool_driver = ${s.vifPoolDriver ?? 'noop'}`,
    `pod_subnets_driver = ${s.podSubnetsDriver ?? 'default'}`,
    `pod_security_groups_driver = ${s.podSecurityGroupsDriver ?? 'default'}`,
    ...(s.ha ? ['controller_ha = True'] : []),
    '[neutron_defaults]',
    `project = ${s.projectId}`,
    `pod_subnet = ${s.podSubnetId}`,
    `pod_security_groups = ${s.podSecurityGroupIds.join(',')}`,
    ...(s.resourceTags?.length ? [`resource_tags = ${s.resourceTags.join(',')}`] : []),
    ...(s.services ? [`service_subnet = ${s.services.subnetId}`] : []),
    ...(s.services?.externalNetworkId
      ? [`external_svc_net = ${s.services.externalNetworkId}`]
      : []),
    ...(s.namespaceSubnet
      ? [
          '[namespace_subnet]',
          `pod_router = ${s.namespaceSubnet.routerId}`,
          `pod_subnet_pool = ${s.namespaceSubnet.subnetPoolId}`,
        ]
      : []),
    ...(s.vifPool
      ? [
          '[vif_pool]',
          ...(s.vifPool.min !== undefined ? [`ports_pool_min = ${s.vifPool.min}`] : []),
          ...(s.vifPool.batch !== undefined ? [`ports_pool_batch = ${s.vifPool.batch}`] : []),
          ...(s.vifPool.max !== undefined ? [`ports_pool_max = ${s.vifPool.max}`] : []),
          ...(s.vifPool.updateFrequency !== undefined
            ? [`ports_pool_update_frequency = ${s.vifPool.updateFrequency}`]
            : []),
        ]
      : []),
    ...(s.workerNodesSubnets?.length
      ? ['[pod_vif_nested]', `worker_nodes_subnets = ${s.workerNodesSubnets.join(',')}`]
      : []),
    '[health_server]',
    'port = 0',
    '[prometheus_exporter]',
    'controller_exporter_port = 0',
    '',
  ].join('\n');
}

/** Starts `kuryr controller --kubeconfig <KUBECONFIG>` with a generated kuryr.conf. */
export function startController(os: OpenStackEnv, settings: ControllerSettings): ControllerProcess {
  const dir = mkdtempSync(join(tmpdir(), 'kt-controller-'));
  const conf = join(dir, 'kuryr.conf');
  writeFileSync(conf, controllerConf(os, settings), { mode: 0o600 });
  const kubeconfig = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';
  const args = ['--import', 'tsx', join(ROOT, 'src/cmd/kuryr.ts'), '--config-file', conf];
  const extra = [
    ...(settings.ha ? ['--lease-namespace', settings.ha.leaseNamespace] : []),
    ...(settings.watchNamespace ? ['--watch-namespace', settings.watchNamespace] : []),
  ];
  const child = spawn(
    process.execPath,
    [...args, 'controller', '--kubeconfig', kubeconfig, ...extra],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(settings.env ? { env: { ...process.env, ...settings.env } } : {}),
    },
  );
  let tail = '';
  const records: Record<string, unknown>[] = [];
  const parse = () => {
    let partial = '';
    return (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          records.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a pino line
        }
      }
    };
  };
  child.stdout?.on('data', parse());
  child.stderr?.on('data', parse());
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { child, log: () => tail, records: () => records, exited, stop };
}
