/**
 * @module `kuryr libnetwork` — runs the Docker remote network + IPAM driver: maps kuryr.conf (`[DEFAULT]
 * kuryr_uri`, `capability_scope`, `enable_ssl`…, `[neutron]`, `[binding] veth_dst_prefix`) onto
 * startLibnetwork; serves /run/docker/plugins/kuryr.sock by default or kuryr_uri with `--tcp`.
 */
import type { Command } from 'commander';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root; it wires features
import { DEFAULT_PLUGIN_SOCKET, startLibnetwork } from '../../libnetwork/start-libnetwork.js';
// eslint-disable-next-line no-restricted-imports -- composition root
import { createDockerPortPool } from '../../libnetwork/port-pool-factory.js';
import { connectionOptionsFromKeystoneauth } from '../../openstack/session-keystoneauth.js';
import { createOpenStackSession } from '../../openstack/session.js';
import { loadCommandConfig } from './load-config.js';

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

interface LibnetworkFlags {
  socket: string;
  tcp: boolean;
  specFile?: string;
  ovsdbSocket?: string;
}

async function run(flags: LibnetworkFlags, cmd: Command): Promise<void> {
  const { config, log } = await loadCommandConfig(cmd, { name: 'kuryr-libnetwork' });
  const neutronSection = Object.fromEntries(
    Object.entries(config.neutron as Record<string, unknown>).map(([k, v]) => [snake(k), v]),
  );
  const session = createOpenStackSession(connectionOptionsFromKeystoneauth(neutronSection), log);
  const d = config.default;
  const vp = config.vifPool;
  const portPool = vp.dockerPoolEnabled
    ? await createDockerPortPool(session.client('network'), {
        min: vp.portsPoolMin,
        batch: vp.portsPoolBatch,
        max: vp.portsPoolMax,
        host: d.host,
        log,
      })
    : undefined;
  const running = await startLibnetwork({
    network: session.client('network'),
    log,
    options: {
      capabilityScope: d.capabilityScope,
      localDefaultAddressSpace: d.localDefaultAddressSpace,
      globalDefaultAddressSpace: d.globalDefaultAddressSpace,
      subnetpoolNamePrefix: d.subnetpoolNamePrefix,
      processExternalConnectivity: d.processExternalConnectivity,
      enableDhcp: config.neutron.enableDhcp,
      defaultSubnetpoolV4: config.neutron.defaultSubnetpoolV4,
      defaultSubnetpoolV6: config.neutron.defaultSubnetpoolV6,
      vifPluggingIsFatal: config.neutron.vifPluggingIsFatal,
      vifPluggingTimeout: config.neutron.vifPluggingTimeout,
      vethDstPrefix: config.binding.vethDstPrefix,
      host: d.host,
    },
    listen: flags.tcp
      ? {
          uri: d.kuryrUri,
          ...(d.enableSsl ? { tls: { certFile: d.sslCertFile, keyFile: d.sslKeyFile } } : {}),
        }
      : { socketPath: flags.socket },
    ...(flags.specFile ? { specFile: flags.specFile } : {}),
    ...(flags.ovsdbSocket ? { ovsdbSocket: flags.ovsdbSocket } : {}),
    ...(portPool ? { portPool } : {}),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('libnetwork plugin stopping');
  await running.close();
  // [vif_pool]: free pooled ports are trimmed to 0 so a stopped host holds no Neutron ports
  await portPool?.close();
  await session.close();
}

/** Registers `libnetwork` on the `kuryr` program. */
export function registerLibnetworkCommand(program: Command): void {
  program
    .command('libnetwork')
    .description('run the Docker libnetwork remote network + IPAM driver on Neutron')
    .option('--socket <path>', 'root-only unix socket dockerd discovers', DEFAULT_PLUGIN_SOCKET)
    .option('--tcp', 'listen on [DEFAULT] kuryr_uri instead (TLS with enable_ssl)', false)
    .option(
      '--spec-file <path>',
      'write a Docker discovery file (.spec: URL line, .json: Name/Addr)',
    )
    .option('--ovsdb-socket <path>', 'OVSDB socket for ovs-bound ports')
    .action(run);
}
