/**
 * @module Converts keystoneauth / keystoneauth-session keys (as found in kuryr.conf `[neutron]`, and as the
 * config loader folds clouds.yaml and OS_* env into them) into `OpenStackConnectionOptions`. One converter
 * serves every source; unknown keys are ignored because the section also carries kuryr's own options.
 */
import { ConfigurationError } from '../common/errors/index.js';
import { normaliseInterface } from './keystone/catalog.js';
import {
  DEFAULT_TIMEOUTS,
  type AuthType,
  type OpenStackConnectionOptions,
} from './session-options.js';

/** keystoneauth `auth_type` values we accept → our auth type. */
const AUTH_TYPES: Readonly<Record<string, AuthType>> = {
  password: 'password',
  v3password: 'password',
  token: 'token',
  v3token: 'token',
  v3applicationcredential: 'applicationcredential',
  applicationcredential: 'applicationcredential',
  application_credential: 'applicationcredential',
  none: 'noauth',
  noauth: 'noauth',
  noop: 'noauth',
};

function text(section: Record<string, unknown>, key: string): string | undefined {
  const v = section[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return text({ [key]: v[v.length - 1] as unknown }, key);
  // Nested tables are not keystoneauth keys.
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function bool(section: Record<string, unknown>, key: string): boolean | undefined {
  const v = section[key];
  if (typeof v === 'boolean') return v;
  const s = text(section, key)?.toLowerCase();
  if (s === undefined) return undefined;
  if (['true', 'yes', '1', 'on'].includes(s)) return true;
  if (['false', 'no', '0', 'off'].includes(s)) return false;
  throw new ConfigurationError(`${key} = '${s}' is not a boolean (true/false/yes/no/1/0)`);
}

function seconds(section: Record<string, unknown>, key: string): number | undefined {
  const s = text(section, key);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) {
    throw new ConfigurationError(`${key} = '${s}' is not a positive number of seconds`);
  }
  return Math.round(n * 1000);
}

function authTypeOf(section: Record<string, unknown>): AuthType {
  const raw = text(section, 'auth_type') ?? text(section, 'auth_plugin');
  if (raw === undefined) {
    // Same inference keystoneauth's loaders make for a section without auth_type.
    if (text(section, 'application_credential_secret') !== undefined)
      return 'applicationcredential';
    if (text(section, 'token') !== undefined && text(section, 'password') === undefined)
      return 'token';
    if (text(section, 'auth_url') !== undefined) return 'password';
    throw new ConfigurationError(
      'no OpenStack credentials configured: set auth_type (password, token, ' +
        'v3applicationcredential or none) and auth_url in the [neutron] section',
    );
  }
  const key = raw.toLowerCase();
  if (key === 'v2password' || key === 'v2token') {
    throw new ConfigurationError(
      `auth_type = ${raw}: Keystone v2 no longer exists; use ${key === 'v2password' ? 'password' : 'token'} ` +
        'with a v3 auth_url',
    );
  }
  const type = AUTH_TYPES[key];
  if (type === undefined) {
    throw new ConfigurationError(
      `auth_type = ${raw} is not supported (valid: ${Object.keys(AUTH_TYPES).join(', ')})`,
    );
  }
  return type;
}

/**
 * Builds connection options from a keystoneauth-style section.
 * @param section snake_case keys: auth_type, auth_url, username, user_id, password, project_name,
 *   project_id, user_domain_name/_id, project_domain_name/_id, domain_name/_id, default_domain_name/_id,
 *   system_scope, token, application_credential_id/_name/_secret, region_name, endpoint_type /
 *   interface / valid_interfaces, cafile, certfile, keyfile, insecure, timeout, endpoint_override.
 * @param serviceType the service `endpoint_override` applies to. @default 'network'
 * @throws ConfigurationError for v2 auth types, unknown auth types and malformed values.
 * @example
 * connectionOptionsFromKeystoneauth({ auth_type: 'password', auth_url: 'http://ks:5000/v3',
 *   username: 'kuryr', password: 's', project_name: 'service', user_domain_name: 'Default',
 *   project_domain_name: 'Default', region_name: 'RegionOne' })
 */
export function connectionOptionsFromKeystoneauth(
  section: Record<string, unknown>,
  serviceType = 'network',
): OpenStackConnectionOptions {
  const t = (k: string): string | undefined => text(section, k);
  const defaultDomainId = t('default_domain_id');
  const defaultDomainName = t('default_domain_name');
  const options: OpenStackConnectionOptions = {
    auth: {
      type: authTypeOf(section),
      authUrl: t('auth_url'),
      username: t('username') ?? t('user_name'),
      userId: t('user_id'),
      password: t('password'),
      userDomainName: t('user_domain_name') ?? defaultDomainName,
      userDomainId: t('user_domain_id') ?? defaultDomainId,
      projectName: t('project_name') ?? t('tenant_name'),
      projectId: t('project_id') ?? t('tenant_id'),
      projectDomainName: t('project_domain_name') ?? defaultDomainName,
      projectDomainId: t('project_domain_id') ?? defaultDomainId,
      domainName: t('domain_name'),
      domainId: t('domain_id'),
      systemScope: t('system_scope'),
      token: t('token'),
      applicationCredentialId: t('application_credential_id'),
      applicationCredentialName: t('application_credential_name'),
      applicationCredentialSecret: t('application_credential_secret'),
    },
  };
  const region = t('region_name');
  if (region !== undefined) options.regionName = region;
  const iface =
    t('interface') ?? t('valid_interfaces')?.split(',')[0]?.trim() ?? t('endpoint_type');
  if (iface !== undefined) options.interface = normaliseInterface(iface);
  const override = t('endpoint_override');
  if (override !== undefined) options.endpointOverrides = { [serviceType]: override };
  const insecure = bool(section, 'insecure');
  const tls = { caFile: t('cafile'), certFile: t('certfile'), keyFile: t('keyfile'), insecure };
  if (Object.values(tls).some((v) => v !== undefined)) options.tls = tls;
  const timeout = seconds(section, 'timeout');
  if (timeout !== undefined) {
    // keystoneauth's timeout is per attempt; the overall deadline must leave room for at least one.
    options.timeouts = {
      headersMs: timeout,
      bodyMs: timeout,
      requestMs: Math.max(DEFAULT_TIMEOUTS.requestMs, timeout),
    };
  }
  return options;
}
