/**
 * @module `kuryr cni-daemon` — runs the CNI node daemon: maps kuryr.conf (`[neutron]` credentials,
 * `[DEFAULT] host`, `[cni_daemon] bind_address`, `[cni_health_server] port`,
 * `[prometheus_exporter] cni_exporter_port`) onto startCniDaemon and stops cleanly on SIGTERM/SIGINT.
 */
import type { Command } from 'commander';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root; it wires features
import { DEFAULT_CNI_SOCKET, startCniDaemon } from '../../cni/daemon/cni-daemon.js';
import { ConfigurationError } from '../../common/errors/index.js';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root; it wires features
import { KuryrPortRegistry } from '../../cni/daemon/kuryrport-registry.js';
import { KubeClient } from '../../k8s/client.js';
import { kubeConfigFromFile, kubeConfigFromOptions } from '../../k8s/kube-config.js';
import { connectionOptionsFromKeystoneauth } from '../../openstack/session-keystoneauth.js';
import { loadCommandConfig } from './load-config.js';

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `host:port` → parts (IPv6 in brackets). */
export function parseHostPort(value: string, what: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new ConfigurationError(`${what} "${value}" is not host:port`);
  }
  return { host: m[1] === '' ? '127.0.0.1' : m[1]!, port };
}

interface DaemonFlags {
  socket: string;
  tcp: boolean;
  ops: boolean;
  opsHost: string;
  kubernetes: boolean;
  kubeconfig?: string;
}

async function run(flags: DaemonFlags, cmd: Command): Promise<void> {
  const { config, log } = await loadCommandConfig(cmd, { name: 'kuryr-cni-daemon' });
  const neutron = Object.fromEntries(
    Object.entries(config.neutron as Record<string, unknown>).map(([k, v]) => [snake(k), v]),
  );
  const k = config.kubernetes;
  const kuryrPorts = flags.kubernetes
    ? new KuryrPortRegistry(
        new KubeClient(
          flags.kubeconfig ? kubeConfigFromFile(flags.kubeconfig) : kubeConfigFromOptions(k),
        ),
        config.default.host,
        log,
      )
    : undefined;
  kuryrPorts?.start();
  const daemon = await startCniDaemon({
    ...(kuryrPorts
      ? { kuryrPorts, vifTimeoutMs: config.cniDaemon.vifAnnotationTimeout * 1000 }
      : {}),
    connection: connectionOptionsFromKeystoneauth(neutron),
    host: config.default.host,
    log,
    socketPath: flags.socket,
    ...(flags.tcp
      ? { tcp: parseHostPort(config.cniDaemon.bindAddress, '[cni_daemon] bind_address') }
      : {}),
    ...(flags.ops ? { ops: { host: flags.opsHost, port: config.cniHealthServer.port } } : {}),
  });
  if (flags.ops && config.prometheusExporter.cniExporterPort !== config.cniHealthServer.port) {
    await daemon.server.listenOps(flags.opsHost, config.prometheusExporter.cniExporterPort);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  log.info('CNI daemon stopping');
  await daemon.close();
}

/** Registers `cni-daemon` on the `kuryr` program. */
export function registerCniDaemonCommand(program: Command): void {
  program
    .command('cni-daemon')
    .description(
      'run the CNI node daemon (standalone CNI mode; Python /addNetwork,/delNetwork on TCP)',
    )
    .option('--socket <path>', 'root-only unix socket for kuryr-cni', DEFAULT_CNI_SOCKET)
    .option('--no-tcp', 'do not listen on [cni_daemon] bind_address')
    .option('--no-ops', 'no /alive, /ready, /metrics listeners')
    .option('--ops-host <host>', 'address of the health and metrics listeners', '127.0.0.1')
    .option(
      '--kubernetes',
      'serve pods (K8S_POD_NAMESPACE) from KuryrPorts via [kubernetes] api access',
    )
    .option(
      '--kubeconfig <path>',
      'kubeconfig instead of the [kubernetes] options (implies nothing else)',
    )
    .action(run);
}
