/**
 * @module Health, metrics and misc sections: `[health_server]`, `[cni_health_server]`, `[prometheus_exporter]`,
 * `[vhostuser]`, `[nested_dpdk]` and the oslo.cache-style caching groups (in-memory only).
 */
import { bool, int, str } from './option.js';
import { section } from './section.js';

const port = { min: 0, max: 65535 };

/** `[health_server]` options (controller). */
export const healthServerSection = section(
  'health_server',
  'Controller health endpoint (/ready, /alive).',
  [
    int('port', 8082, 'Port of the controller health server.', port),
    int('max_memory_usage', -1, 'Memory limit in MiB above which /alive fails (-1 = off).', {
      min: -1,
    }),
  ],
);

/** `[cni_health_server]` options (CNI daemon). */
export const cniHealthServerSection = section('cni_health_server', 'CNI daemon health endpoint.', [
  int('port', 8090, 'Port of the CNI daemon health server.', port),
  int('max_memory_usage', -1, 'Memory limit in MiB above which /alive fails (-1 = off).', {
    min: -1,
  }),
  str(
    'cg_path',
    '/sys/fs/cgroup/memory/system.slice/kuryr-cni.service',
    'cgroup of the daemon (memory check).',
  ),
]);

/** `[prometheus_exporter]` options. */
export const prometheusExporterSection = section(
  'prometheus_exporter',
  'Prometheus /metrics endpoints.',
  [
    int('controller_exporter_port', 9654, 'Metrics port of the controller.', port),
    int('cni_exporter_port', 9655, 'Metrics port of the CNI daemon.', port),
  ],
);

/** `[vhostuser]` options. */
export const vhostuserSection = section('vhostuser', 'vhost-user interfaces.', [
  str('mount_point', '/var/cni/vhostuser', 'Directory of vhost-user sockets and config files.'),
  str('ovs_vhu_path', '/var/run/openvswitch/', 'Directory of OVS vhost-user sockets.'),
]);

/** `[nested_dpdk]` options. */
export const nestedDpdkSection = section('nested_dpdk', 'DPDK interfaces in VMs.', [
  str('dpdk_driver', 'uio_pci_generic', 'Kernel driver bound to DPDK devices.'),
  str('pci_mount_point', '/var/pci_address', 'Where PCI addresses are published to containers.'),
]);

/** `[cache_defaults]` options. */
export const cacheDefaultsSection = section('cache_defaults', 'Caching (in-memory only).', [
  bool('enabled', true, 'Enable caching.'),
  str('backend', 'dogpile.cache.memory', 'Accepted; kuryr always caches in memory.'),
]);

const caching = (group: 'subnet_caching' | 'nodes_caching' | 'node_driver_caching', what: string) =>
  section(group, `Caching of ${what}.`, [
    bool('caching', true, `Cache ${what}.`),
    int('cache_time', 3600, 'Seconds an entry is kept.', { min: 0 }),
  ]);

/** `[subnet_caching]` options. */
export const subnetCachingSection = caching('subnet_caching', 'subnet lookups');
/** `[nodes_caching]` options. */
export const nodesCachingSection = caching('nodes_caching', 'node lookups');
/** `[node_driver_caching]` options. */
export const nodeDriverCachingSection = caching('node_driver_caching', 'node driver lookups');
