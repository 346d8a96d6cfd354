/**
 * @module Driver-level Kubernetes sections: `[neutron_defaults]`, `[octavia_defaults]`, `[namespace_subnet]`,
 * `[pod_vif_nested]`, `[vif_pool]`, `[pool_manager]`.
 */
import { bool, choice, dict, int, list, str } from './option.js';
import { section } from './section.js';

/** `[neutron_defaults]` options. */
export const neutronDefaultsSection = section(
  'neutron_defaults',
  'Neutron resources used for pods and services.',
  [
    str('project', undefined, 'Project ID of pod and service resources.'),
    str('pod_subnet', undefined, 'Subnet ID of pod ports.'),
    list('pod_security_groups', [], 'Security group IDs of pod ports.'),
    str('ovs_bridge', undefined, 'OVS integration bridge (e.g. br-int).'),
    str('service_subnet', undefined, 'Subnet ID of service VIPs.'),
    str('external_svc_net', undefined, 'External network for LoadBalancer services.'),
    str('external_svc_subnet', undefined, 'External subnet for LoadBalancer services.'),
    int('network_device_mtu', 0, 'MTU of created networks (0 = Neutron default).', { min: 0 }),
    int('lbaas_activation_timeout', 300, 'Seconds to wait for a load balancer to become ACTIVE.', {
      min: 1,
    }),
    dict(
      'subnet_mapping',
      {},
      'driverType:subnet ID for NetworkAttachmentDefinitions without subnetId.',
    ),
    list('resource_tags', [], 'Tags put on every Neutron resource created for Kubernetes.'),
  ],
);

/** `[octavia_defaults]` options. */
export const octaviaDefaultsSection = section(
  'octavia_defaults',
  'Octavia load balancers for services.',
  [
    choice('member_mode', ['L2', 'L3'], 'L3', 'How members are attached to load balancers.'),
    bool('enforce_sg_rules', true, 'Apply service security groups to load balancers.'),
    str('lb_algorithm', 'ROUND_ROBIN', 'Pool algorithm.'),
    choice(
      'sg_mode',
      ['create', 'update'],
      'update',
      'Create a dedicated SG per LB or update the VIP port SG.',
    ),
    int('timeout_client_data', 0, 'Listener client data timeout in ms (0 = Octavia default).', {
      min: 0,
    }),
    int('timeout_member_data', 0, 'Listener member data timeout in ms (0 = Octavia default).', {
      min: 0,
    }),
  ],
);

/** `[namespace_subnet]` options. */
export const namespaceSubnetSection = section('namespace_subnet', 'Per-namespace networks.', [
  str('pod_router', undefined, 'Router ID namespace subnets are attached to.'),
  str('pod_subnet_pool', undefined, 'Subnetpool ID namespace subnets are allocated from.'),
]);

/** `[pod_vif_nested]` options. */
export const podVifNestedSection = section('pod_vif_nested', 'Pods in VMs (trunk ports).', [
  list('worker_nodes_subnets', [], 'Subnet IDs of the worker VMs.', {
    deprecatedName: 'worker_nodes_subnet',
  }),
  int('rev_update_attempts', 3, 'Attempts of a revision-guarded port update.', { min: 1 }),
]);

/** `[vif_pool]` options. */
export const vifPoolSection = section('vif_pool', 'Pre-created port pools.', [
  int('ports_pool_max', 0, 'Maximum ports per pool (0 = unbounded).', { min: 0 }),
  int('ports_pool_min', 5, 'Minimum free ports per pool.', { min: 0 }),
  int('ports_pool_batch', 10, 'Ports created per batch.', { min: 0 }),
  int('ports_pool_update_frequency', 20, 'Seconds between pool updates.', { min: 0 }),
  bool(
    'docker_pool_enabled',
    false,
    'Kuryr-specific: pre-created port pool for `kuryr libnetwork` (ports_pool_min/batch/max).',
  ),
  dict('vif_pool_mapping', {}, 'pod_vif driver:pool driver mapping for multi_pool.'),
  dict('pools_vif_drivers', {}, 'Deprecated: pool driver:pod_vif driver (use vif_pool_mapping).'),
]);

/** `[pool_manager]` options. */
export const poolManagerSection = section('pool_manager', 'Pool manager socket.', [
  str('sock_file', '/run/kuryr/kuryr_manage.sock', 'Unix socket of the pool manager.'),
]);
