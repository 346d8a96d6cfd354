/**
 * @module `[neutron]`: kuryr-lib Neutron options plus the keystoneauth auth, session and adapter keys. The
 * loader also folds clouds.yaml (`OS_CLOUD`) and plain `OS_*` credentials into these snake_case keys, so the
 * OpenStack client reads credentials from exactly one place.
 */
import { bool, choice, int, str } from './option.js';
import { section } from './section.js';

/** keystoneauth plugin names we accept in `auth_type`. */
export const AUTH_TYPES = [
  'password',
  'v3password',
  'v2password',
  'token',
  'v3token',
  'v2token',
  'v3applicationcredential',
  'applicationcredential',
  'application_credential',
  'none',
  'noauth',
  'noop',
] as const;

const secret = { secret: true } as const;

/** `[neutron]` options (COMPATIBILITY.md §4). */
export const neutronSection = section('neutron', 'Neutron behaviour and OpenStack credentials.', [
  bool('enable_dhcp', true, 'Enable DHCP on the subnets Kuryr creates.'),
  str('default_subnetpool_v4', 'kuryr', 'Name of the default IPv4 subnetpool.'),
  str('default_subnetpool_v6', 'kuryr6', 'Name of the default IPv6 subnetpool.'),
  bool(
    'vif_plugging_is_fatal',
    false,
    'Fail the endpoint when the port does not become ACTIVE in time.',
  ),
  int('vif_plugging_timeout', 0, 'Seconds to wait for the port to become ACTIVE (0 = forever).', {
    min: 0,
  }),
  str('region_name', undefined, 'Region used for the service catalog lookup.'),
  choice(
    'endpoint_type',
    ['public', 'admin', 'internal'],
    'public',
    'Catalog interface of the Neutron endpoint.',
  ),
  str(
    'endpoint_override',
    undefined,
    'Use this Neutron URL instead of the catalog (required for auth_type none).',
  ),
  choice('auth_type', AUTH_TYPES, undefined, 'keystoneauth plugin name.', {
    deprecatedName: 'auth_plugin',
  }),
  str(
    'auth_section',
    undefined,
    'Accepted for compatibility; options are read from [neutron] only.',
  ),
  str('auth_url', undefined, 'Keystone URL (e.g. http://keystone:5000/v3).'),
  str('system_scope', undefined, 'System scope (e.g. all) instead of a project scope.'),
  str('domain_id', undefined, 'Domain ID to scope to.'),
  str('domain_name', undefined, 'Domain name to scope to.'),
  str('project_id', undefined, 'Project ID to scope to.', { deprecatedName: 'tenant_id' }),
  str('project_name', undefined, 'Project name to scope to.', { deprecatedName: 'tenant_name' }),
  str('project_domain_id', undefined, 'Domain ID of the project.'),
  str('project_domain_name', undefined, 'Domain name of the project.'),
  str('trust_id', undefined, 'Trust ID (accepted; trusts are not used).'),
  str('default_domain_id', undefined, 'Default for user_domain_id and project_domain_id.'),
  str('default_domain_name', undefined, 'Default for user_domain_name and project_domain_name.'),
  str('user_id', undefined, 'User ID.'),
  str('username', undefined, 'User name.', { deprecatedName: 'user_name' }),
  str('user_domain_id', undefined, 'Domain ID of the user.'),
  str('user_domain_name', undefined, 'Domain name of the user.'),
  str('password', undefined, "User's password.", secret),
  str('token', undefined, 'Token for auth_type token/v3token/v2token.', secret),
  str('application_credential_id', undefined, 'Application credential ID.'),
  str('application_credential_name', undefined, 'Application credential name.'),
  str('application_credential_secret', undefined, 'Application credential secret.', secret),
  str('cafile', undefined, 'PEM CA bundle used to verify HTTPS connections.'),
  str('certfile', undefined, 'PEM client certificate.'),
  str('keyfile', undefined, 'PEM client certificate key.'),
  bool('insecure', false, 'Do not verify HTTPS certificates (never in production).'),
  int(
    'timeout',
    undefined,
    'HTTP request timeout in seconds (unset = the client default deadline).',
    {
      min: 1,
    },
  ),
]);
