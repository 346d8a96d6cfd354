/**
 * @module `[DEFAULT]`: kuryr-libnetwork core options, kuryr-lib core options and the oslo.log options we honour.
 */
import { hostname } from 'node:os';
import { bool, choice, list, str } from './option.js';
import { section } from './section.js';

const VETH_PORT_DRIVER = 'kuryr_libnetwork.port_driver.drivers.veth';

/** `[DEFAULT]` options (COMPATIBILITY.md §4). */
export const defaultSection = section('DEFAULT', 'Plugin endpoint, drivers, naming and logging.', [
  str(
    'kuryr_uri',
    'http://127.0.0.1:23750',
    'URL the Docker plugin listens on (env OS_KURYR_URI).',
  ),
  choice(
    'capability_scope',
    ['local', 'global'],
    'local',
    'Scope reported to Docker in GetCapabilities (env CAPABILITY_SCOPE).',
  ),
  str('local_default_address_space', 'no_address_space', 'Default local IPAM address space name.'),
  str(
    'global_default_address_space',
    'no_address_space',
    'Default global IPAM address space name.',
  ),
  str(
    'default_port_driver',
    VETH_PORT_DRIVER,
    'Port driver for ports with binding:vnic_type normal.',
    {
      deprecatedName: 'port_driver',
    },
  ),
  list('enabled_port_drivers', [VETH_PORT_DRIVER], 'Port drivers that may be used.'),
  bool('process_external_connectivity', true, 'Create security groups for `docker run --expose`.'),
  bool('enable_ssl', false, 'Serve the plugin endpoint over TLS.'),
  str('ssl_cert_file', '/var/lib/kuryr/certs/cert.pem', 'TLS certificate of the plugin endpoint.'),
  str('ssl_key_file', '/var/lib/kuryr/certs/key.pem', 'TLS private key of the plugin endpoint.'),
  str('bindir', '/usr/libexec/kuryr', 'Directory of vif-type binding executables.'),
  str('subnetpool_name_prefix', 'kuryrPool', 'Name prefix of the subnetpools Kuryr creates.'),
  str(
    'deployment_type',
    'baremetal',
    'baremetal or nested (accepted, unused, as in the original).',
  ),
  str('host', hostname(), 'Host name sent as binding:host_id; must equal the L2 agent host.', {
    defaultDoc: 'the machine host name',
  }),
  bool('debug', false, 'Log at debug level.'),
  str('log_file', undefined, 'Write logs to this file (relative to log_dir when set).', {
    deprecatedName: 'logfile',
  }),
  str('log_dir', undefined, 'Directory of log_file (alone: `<program>.log` in it).', {
    deprecatedName: 'logdir',
  }),
  bool('use_stderr', false, 'Log to stderr (kuryr logs to stderr anyway when no log file is set).'),
  bool('use_syslog', false, 'Accepted for compatibility; ignored (logs are JSON lines).'),
  bool('use_journal', false, 'Accepted for compatibility; ignored.'),
  bool('use_json', false, 'Accepted for compatibility; logs are always JSON lines.'),
  str('log_config_append', undefined, 'Accepted for compatibility; ignored.'),
  list('default_log_levels', [], 'Accepted for compatibility; ignored.'),
]);
