/**
 * @module `[kubernetes]`: API access, enabled handlers and the driver alias of every controller plug-in point.
 */
import { bool, int, list, str } from './option.js';
import { section } from './section.js';

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

/** `[kubernetes]` options (COMPATIBILITY.md §5). */
export const kubernetesSection = section(
  'kubernetes',
  'Kubernetes API access and controller drivers.',
  [
    str(
      'api_root',
      'https://localhost:6443',
      'Kubernetes API URL; empty = in-cluster (env K8S_API).',
    ),
    str('ssl_client_crt_file', undefined, 'Client certificate for the API.'),
    str('ssl_client_key_file', undefined, 'Client key for the API.'),
    str('ssl_ca_crt_file', `${SA}/ca.crt`, 'CA bundle of the API server.'),
    bool('ssl_verify_server_crt', false, 'Verify the API server certificate.'),
    str('token_file', `${SA}/token`, 'Bearer token file.'),
    list(
      'enabled_handlers',
      ['vif', 'endpoints', 'service', 'kuryrloadbalancer', 'kuryrport'],
      'Handlers the controller runs.',
    ),
    str('pod_vif_driver', 'neutron-vif', 'Pod VIF driver alias.'),
    str('vif_pool_driver', 'noop', 'VIF pool driver alias.'),
    str('pod_subnets_driver', 'default', 'Pod subnets driver alias.'),
    str('service_subnets_driver', 'default', 'Service subnets driver alias.'),
    str('pod_security_groups_driver', 'default', 'Pod security groups driver alias.'),
    str('service_security_groups_driver', 'default', 'Service security groups driver alias.'),
    str('pod_project_driver', 'default', 'Pod project driver alias.'),
    str('service_project_driver', 'default', 'Service project driver alias.'),
    str('namespace_project_driver', 'default', 'Namespace project driver alias.'),
    str('network_policy_project_driver', 'default', 'Network policy project driver alias.'),
    str('network_policy_driver', 'default', 'Network policy driver alias.'),
    str('endpoints_lbaas_driver', 'lbaasv2', 'Load balancer driver alias.'),
    str(
      'endpoints_driver_octavia_provider',
      'default',
      'Octavia provider (default = amphora, ovn).',
    ),
    str('service_public_ip_driver', 'neutron_floating_ip', 'Service public IP driver alias.'),
    str('nodes_subnets_driver', 'config', 'Nodes subnets driver alias.'),
    list('multi_vif_drivers', ['noop'], 'Additional VIF drivers.', {
      deprecatedName: 'multi_vif_driver',
    }),
    str('additional_ifname_prefix', 'eth', 'Name prefix of additional pod interfaces.'),
    bool('port_debug', false, 'Name pod ports <namespace>/<pod>.'),
    bool('enable_manager', false, 'Run the pool manager on [pool_manager] sock_file.'),
    int('watch_retry_timeout', 60, 'Seconds to keep retrying a failing watch.', { min: 0 }),
    int('watch_connection_timeout', 30, 'Watch connect timeout in seconds.', { min: 0 }),
    int('watch_read_timeout', 60, 'Watch read timeout in seconds.', { min: 0 }),
    int('watch_reconcile_period', 120, 'Seconds between full reconciliations.', { min: 0 }),
    int(
      'handler_workers',
      32,
      'kuryr-ts only: objects the controller handles at once (each object stays serial). More workers ' +
        'let concurrent pods share bulk port creates and API round trips (BENCHMARKS.md: 100 pods ' +
        'without a pool took 38.4 s with 8 and 34-36 s with 32).',
      { min: 1, max: 1000 },
    ),
    bool('controller_ha', false, 'Run active/passive with leader election.'),
    int('controller_ha_elector_port', 16401, 'Port of the leader-election sidecar.', {
      min: 0,
      max: 65535,
    }),
    bool('use_events', true, 'Emit Kubernetes Events on handled objects.'),
  ],
);

/** `[cni_daemon]` options (COMPATIBILITY.md §5). */
export const cniDaemonSection = section('cni_daemon', 'CNI node daemon.', [
  str('bind_address', '127.0.0.1:5036', 'host:port the daemon listens on.'),
  int('worker_num', 30, 'Maximum concurrent requests.', { min: 1 }),
  int('vif_annotation_timeout', 60, 'Seconds to wait for the KuryrPort of a pod.', { min: 1 }),
  int('pyroute2_timeout', 10, 'Netlink operation timeout in seconds.', { min: 1 }),
  bool('docker_mode', false, 'The daemon runs in a container that sees the host via /host_proc.'),
  str(
    'netns_proc_dir',
    undefined,
    'Where network namespaces of processes are visible (docker_mode).',
  ),
  int('cni_failures_count', 3, 'Failed requests before the daemon reports unhealthy.', { min: 1 }),
]);
