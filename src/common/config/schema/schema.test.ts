import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import {
  SECTIONS,
  bool,
  camel,
  choice,
  defaultConfig,
  dict,
  findOption,
  int,
  kuryrConfigSchema,
  list,
  multi,
  snakeSection,
  type AnyOption,
} from './index.js';

// Python Kuryr's defaults, transcribed from COMPATIBILITY.md §4/§5 (the contract): [group, key, default].
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const EXPECTED: Array<[string, string, unknown]> = [
  ['DEFAULT', 'kuryr_uri', 'http://127.0.0.1:23750'],
  ['DEFAULT', 'capability_scope', 'local'],
  ['DEFAULT', 'local_default_address_space', 'no_address_space'],
  ['DEFAULT', 'global_default_address_space', 'no_address_space'],
  ['DEFAULT', 'default_port_driver', 'kuryr_libnetwork.port_driver.drivers.veth'],
  ['DEFAULT', 'enabled_port_drivers', ['kuryr_libnetwork.port_driver.drivers.veth']],
  ['DEFAULT', 'process_external_connectivity', true],
  ['DEFAULT', 'enable_ssl', false],
  ['DEFAULT', 'ssl_cert_file', '/var/lib/kuryr/certs/cert.pem'],
  ['DEFAULT', 'ssl_key_file', '/var/lib/kuryr/certs/key.pem'],
  ['DEFAULT', 'bindir', '/usr/libexec/kuryr'],
  ['DEFAULT', 'subnetpool_name_prefix', 'kuryrPool'],
  ['DEFAULT', 'deployment_type', 'baremetal'],
  ['DEFAULT', 'debug', false],
  ['DEFAULT', 'log_file', undefined],
  ['DEFAULT', 'log_dir', undefined],
  ['DEFAULT', 'use_stderr', false],
  ['DEFAULT', 'host', hostname()],
  ['neutron', 'enable_dhcp', true],
  ['neutron', 'default_subnetpool_v4', 'kuryr'],
  ['neutron', 'default_subnetpool_v6', 'kuryr6'],
  ['neutron', 'vif_plugging_is_fatal', false],
  ['neutron', 'vif_plugging_timeout', 0],
  ['neutron', 'region_name', undefined],
  ['neutron', 'endpoint_type', 'public'],
  ['neutron', 'auth_type', undefined],
  ['neutron', 'password', undefined],
  ['neutron', 'insecure', false],
  ['binding', 'veth_dst_prefix', 'eth'],
  ['binding', 'default_driver', 'kuryr.lib.binding.drivers.veth'],
  ['binding', 'enabled_drivers', ['kuryr.lib.binding.drivers.veth']],
  ['binding', 'link_iface', ''],
  ['kubernetes', 'api_root', 'https://localhost:6443'],
  ['kubernetes', 'ssl_client_crt_file', undefined],
  ['kubernetes', 'ssl_client_key_file', undefined],
  ['kubernetes', 'ssl_ca_crt_file', `${SA}/ca.crt`],
  ['kubernetes', 'ssl_verify_server_crt', false],
  ['kubernetes', 'token_file', `${SA}/token`],
  [
    'kubernetes',
    'enabled_handlers',
    ['vif', 'endpoints', 'service', 'kuryrloadbalancer', 'kuryrport'],
  ],
  ['kubernetes', 'pod_vif_driver', 'neutron-vif'],
  ['kubernetes', 'vif_pool_driver', 'noop'],
  ['kubernetes', 'pod_subnets_driver', 'default'],
  ['kubernetes', 'service_subnets_driver', 'default'],
  ['kubernetes', 'pod_security_groups_driver', 'default'],
  ['kubernetes', 'service_security_groups_driver', 'default'],
  ['kubernetes', 'pod_project_driver', 'default'],
  ['kubernetes', 'service_project_driver', 'default'],
  ['kubernetes', 'namespace_project_driver', 'default'],
  ['kubernetes', 'network_policy_project_driver', 'default'],
  ['kubernetes', 'network_policy_driver', 'default'],
  ['kubernetes', 'endpoints_lbaas_driver', 'lbaasv2'],
  ['kubernetes', 'endpoints_driver_octavia_provider', 'default'],
  ['kubernetes', 'service_public_ip_driver', 'neutron_floating_ip'],
  ['kubernetes', 'nodes_subnets_driver', 'config'],
  ['kubernetes', 'multi_vif_drivers', ['noop']],
  ['kubernetes', 'additional_ifname_prefix', 'eth'],
  ['kubernetes', 'port_debug', false],
  ['kubernetes', 'enable_manager', false],
  ['kubernetes', 'watch_retry_timeout', 60],
  ['kubernetes', 'watch_connection_timeout', 30],
  ['kubernetes', 'watch_read_timeout', 60],
  ['kubernetes', 'watch_reconcile_period', 120],
  ['kubernetes', 'handler_workers', 32],
  ['kubernetes', 'controller_ha', false],
  ['kubernetes', 'controller_ha_elector_port', 16401],
  ['kubernetes', 'use_events', true],
  ['cni_daemon', 'bind_address', '127.0.0.1:5036'],
  ['cni_daemon', 'worker_num', 30],
  ['cni_daemon', 'vif_annotation_timeout', 60],
  ['cni_daemon', 'pyroute2_timeout', 10],
  ['cni_daemon', 'docker_mode', false],
  ['cni_daemon', 'netns_proc_dir', undefined],
  ['cni_daemon', 'cni_failures_count', 3],
  ['neutron_defaults', 'project', undefined],
  ['neutron_defaults', 'pod_subnet', undefined],
  ['neutron_defaults', 'pod_security_groups', []],
  ['neutron_defaults', 'ovs_bridge', undefined],
  ['neutron_defaults', 'service_subnet', undefined],
  ['neutron_defaults', 'external_svc_net', undefined],
  ['neutron_defaults', 'external_svc_subnet', undefined],
  ['neutron_defaults', 'network_device_mtu', 0],
  ['neutron_defaults', 'lbaas_activation_timeout', 300],
  ['neutron_defaults', 'subnet_mapping', {}],
  ['neutron_defaults', 'resource_tags', []],
  ['octavia_defaults', 'member_mode', 'L3'],
  ['octavia_defaults', 'enforce_sg_rules', true],
  ['octavia_defaults', 'lb_algorithm', 'ROUND_ROBIN'],
  ['octavia_defaults', 'timeout_client_data', 0],
  ['octavia_defaults', 'timeout_member_data', 0],
  ['namespace_subnet', 'pod_router', undefined],
  ['namespace_subnet', 'pod_subnet_pool', undefined],
  ['pod_vif_nested', 'worker_nodes_subnets', []],
  ['pod_vif_nested', 'rev_update_attempts', 3],
  ['vif_pool', 'ports_pool_max', 0],
  ['vif_pool', 'ports_pool_min', 5],
  ['vif_pool', 'ports_pool_batch', 10],
  ['vif_pool', 'ports_pool_update_frequency', 20],
  ['vif_pool', 'vif_pool_mapping', {}],
  ['pool_manager', 'sock_file', '/run/kuryr/kuryr_manage.sock'],
  ['health_server', 'port', 8082],
  ['health_server', 'max_memory_usage', -1],
  ['cni_health_server', 'port', 8090],
  ['cni_health_server', 'max_memory_usage', -1],
  ['prometheus_exporter', 'controller_exporter_port', 9654],
  ['prometheus_exporter', 'cni_exporter_port', 9655],
  ['vhostuser', 'mount_point', '/var/cni/vhostuser'],
  ['vhostuser', 'ovs_vhu_path', '/var/run/openvswitch/'],
  ['nested_dpdk', 'dpdk_driver', 'uio_pci_generic'],
  ['nested_dpdk', 'pci_mount_point', '/var/pci_address'],
  ['cache_defaults', 'enabled', true],
  ['subnet_caching', 'caching', true],
  ['subnet_caching', 'cache_time', 3600],
  ['nodes_caching', 'caching', true],
  ['nodes_caching', 'cache_time', 3600],
  ['node_driver_caching', 'caching', true],
  ['node_driver_caching', 'cache_time', 3600],
];

const groupKey = (g: string) => (g === 'DEFAULT' ? 'default' : camel(g));

describe('kuryr.conf schema defaults', () => {
  const config = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
  for (const [group, key, expected] of EXPECTED) {
    test(`[${group}] ${key} defaults to ${JSON.stringify(expected)}`, () => {
      assert.ok(findOption(group, key), `option [${group}] ${key} exists`);
      assert.deepEqual(config[groupKey(group)]![camel(key)], expected);
    });
  }

  test('the camelCase mirror is typed', () => {
    const c = defaultConfig();
    const timeout: number = c.neutron.vifPluggingTimeout;
    const scope: 'local' | 'global' = c.default.capabilityScope;
    const bind: string = c.cniDaemon.bindAddress;
    assert.deepEqual([timeout, scope, bind], [0, 'local', '127.0.0.1:5036']);
  });

  test('every option has a help text and a unique name per section', () => {
    for (const s of SECTIONS) {
      const names = new Set<string>();
      for (const o of s.options as readonly AnyOption[]) {
        assert.ok(o.meta.help.length > 0, `${s.group}.${o.meta.name} has help`);
        assert.ok(!names.has(o.meta.name), `${s.group}.${o.meta.name} unique`);
        names.add(o.meta.name);
      }
    }
  });

  test('secrets are flagged', () => {
    for (const key of ['password', 'token', 'application_credential_secret']) {
      assert.equal(findOption('neutron', key)?.option.meta.secret, true, key);
    }
  });

  test('deprecated names resolve to the new option', () => {
    assert.equal(findOption('DEFAULT', 'port_driver')?.key, 'default_port_driver');
    assert.equal(findOption('binding', 'driver')?.key, 'default_driver');
    assert.equal(findOption('neutron', 'nope'), undefined);
    assert.equal(findOption('nosection', 'x'), undefined);
  });

  test('defaults are fresh copies (no shared mutable arrays)', () => {
    const a = defaultConfig();
    a.binding.enabledDrivers.push('x');
    assert.deepEqual(defaultConfig().binding.enabledDrivers, ['kuryr.lib.binding.drivers.veth']);
  });

  test('snakeSection gives kuryr.conf keys of set options', () => {
    const s = snakeSection(defaultConfig(), 'neutron');
    assert.equal(s.endpoint_type, 'public');
    assert.equal('password' in s, false);
  });
});

describe('option types', () => {
  const parse = (o: AnyOption, v: unknown) => o.schema.safeParse(v);

  test('bool accepts oslo words case-insensitively, rejects others', () => {
    const o = bool('b', false, 'h');
    for (const w of ['true', 'TRUE', 'Yes', 'on', '1']) assert.equal(parse(o, w).data, true, w);
    for (const w of ['false', 'No', 'OFF', '0']) assert.equal(parse(o, w).data, false, w);
    assert.equal(parse(o, true).data, true);
    assert.equal(parse(o, undefined).data, false);
    assert.match(parse(o, 'maybe').error!.issues[0]!.message, /expected a boolean/);
  });

  test('int parses, checks bounds, rejects garbage', () => {
    const o = int('i', 5, 'h', { min: 0, max: 10 });
    assert.equal(parse(o, ' 7 ').data, 7);
    assert.equal(parse(o, 3).data, 3);
    assert.match(parse(o, '11').error!.issues[0]!.message, /must be <= 10/);
    assert.match(parse(o, '-1').error!.issues[0]!.message, /must be >= 0/);
    assert.match(parse(o, '1.5').error!.issues[0]!.message, /expected an integer/);
    assert.match(parse(o, 'ten').error!.issues[0]!.message, /expected an integer/);
  });

  test('list splits on commas and trims; empty ⇒ []', () => {
    const o = list('l', ['d'], 'h');
    assert.deepEqual(parse(o, 'a, b ,c').data, ['a', 'b', 'c']);
    assert.deepEqual(parse(o, '').data, []);
    assert.deepEqual(parse(o, undefined).data, ['d']);
  });

  test('multi keeps one value per occurrence', () => {
    const o = multi('m', [], 'h');
    assert.deepEqual(parse(o, ['a,b', 'c']).data, ['a,b', 'c']);
    assert.deepEqual(parse(o, 'x').data, ['x']);
    assert.deepEqual(parse(o, undefined).data, []);
  });

  test('dict parses k:v,k:v (value may contain colons)', () => {
    const o = dict('d', {}, 'h');
    assert.deepEqual(parse(o, 'nested-vlan: subnet-1, neutron-vif:s2').data, {
      'nested-vlan': 'subnet-1',
      'neutron-vif': 's2',
    });
    assert.deepEqual(parse(o, 'url:http://x:1').data, { url: 'http://x:1' });
    assert.deepEqual(parse(o, '').data, {});
    assert.match(parse(o, 'novalue').error!.issues[0]!.message, /key:value/);
  });

  test('enum accepts only its choices', () => {
    const o = choice('c', ['local', 'global'], 'local', 'h');
    assert.equal(parse(o, 'global').data, 'global');
    assert.match(parse(o, 'Global').error!.issues[0]!.message, /must be one of local, global/);
  });

  test('whole schema reports the path of a bad value', () => {
    const r = kuryrConfigSchema.safeParse({ neutron: { vifPluggingTimeout: 'x' } });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, ['neutron', 'vifPluggingTimeout']);
  });
});
