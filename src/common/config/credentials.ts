/**
 * @module Ambient OpenStack credentials: the cloud named by `OS_CLOUD` in clouds.yaml, and plain `OS_*`
 * variables (openrc). Both are folded into `[neutron]` snake_case keystoneauth keys, so the OpenStack client
 * reads credentials from one place whatever their origin. The loader decides whether they apply.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError } from '../errors/index.js';
import type { ValueSource } from './source.js';

/** One `[neutron]` key with its value and origin. */
export interface CredentialSetting {
  key: string;
  value: string;
  source: ValueSource;
}

/** Plain `OS_*` variable → `[neutron]` key (later entries of the same key win). */
const OS_ENV_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['OS_AUTH_URL', 'auth_url'],
  ['OS_AUTH_TYPE', 'auth_type'],
  ['OS_USERNAME', 'username'],
  ['OS_USER_ID', 'user_id'],
  ['OS_PASSWORD', 'password'],
  ['OS_TENANT_NAME', 'project_name'],
  ['OS_PROJECT_NAME', 'project_name'],
  ['OS_TENANT_ID', 'project_id'],
  ['OS_PROJECT_ID', 'project_id'],
  ['OS_USER_DOMAIN_NAME', 'user_domain_name'],
  ['OS_USER_DOMAIN_ID', 'user_domain_id'],
  ['OS_PROJECT_DOMAIN_NAME', 'project_domain_name'],
  ['OS_PROJECT_DOMAIN_ID', 'project_domain_id'],
  ['OS_DOMAIN_NAME', 'domain_name'],
  ['OS_DOMAIN_ID', 'domain_id'],
  ['OS_SYSTEM_SCOPE', 'system_scope'],
  ['OS_REGION_NAME', 'region_name'],
  ['OS_INTERFACE', 'endpoint_type'],
  ['OS_TOKEN', 'token'],
  ['OS_APPLICATION_CREDENTIAL_ID', 'application_credential_id'],
  ['OS_APPLICATION_CREDENTIAL_NAME', 'application_credential_name'],
  ['OS_APPLICATION_CREDENTIAL_SECRET', 'application_credential_secret'],
  ['OS_CACERT', 'cafile'],
  ['OS_CERT', 'certfile'],
  ['OS_KEY', 'keyfile'],
  ['OS_INSECURE', 'insecure'],
  ['OS_ENDPOINT', 'endpoint_override'],
  ['OS_NETWORK_ENDPOINT', 'endpoint_override'],
];

/** clouds.yaml `auth:` keys we copy unchanged into `[neutron]`. */
const CLOUD_AUTH_KEYS = [
  'auth_url',
  'username',
  'user_id',
  'password',
  'project_name',
  'project_id',
  'user_domain_name',
  'user_domain_id',
  'project_domain_name',
  'project_domain_id',
  'domain_name',
  'domain_id',
  'system_scope',
  'token',
  'application_credential_id',
  'application_credential_name',
  'application_credential_secret',
];

/** `OS_INTERFACE=publicURL` (old style) means `public`. */
const iface = (v: string): string => v.replace(/URL$/, '');

/**
 * Fill in `auth_type` the way openstacksdk guesses it when it was not given.
 * NOTE: only for ambient sources; kuryr.conf always states its auth_type, as Python Kuryr requires.
 */
function inferAuthType(settings: CredentialSetting[], source: ValueSource): void {
  const has = (k: string) => settings.some((s) => s.key === k);
  if (has('auth_type') || settings.length === 0) return;
  let value: string | undefined;
  if (has('application_credential_secret')) value = 'v3applicationcredential';
  else if (has('token') && !has('password')) value = 'token';
  else if (has('endpoint_override') && !has('auth_url')) value = 'none';
  else if (has('auth_url')) value = 'password';
  if (value !== undefined) settings.push({ key: 'auth_type', value, source });
}

/**
 * Credentials from plain `OS_*` variables.
 *
 * @returns `[neutron]` settings; empty when no such variable is set
 */
export function credentialsFromOsEnv(env: NodeJS.ProcessEnv): CredentialSetting[] {
  const byKey = new Map<string, CredentialSetting>();
  for (const [name, key] of OS_ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    byKey.set(key, {
      key,
      value: key === 'endpoint_type' ? iface(raw) : raw,
      source: { kind: 'env', name },
    });
  }
  const settings = [...byKey.values()];
  inferAuthType(settings, { kind: 'env', name: 'OS_* (auth_type inferred)' });
  return settings;
}

/** Where clouds.yaml is searched, first hit wins (openstacksdk order, `OS_CLIENT_CONFIG_FILE` first). */
export function cloudsYamlCandidates(env: NodeJS.ProcessEnv, cwd: string, home: string): string[] {
  const files = [
    join(cwd, 'clouds.yaml'),
    join(home, '.config/openstack/clouds.yaml'),
    '/etc/openstack/clouds.yaml',
  ];
  return env.OS_CLIENT_CONFIG_FILE ? [env.OS_CLIENT_CONFIG_FILE, ...files] : files;
}

async function readFirst(files: string[]): Promise<{ file: string; text: string } | undefined> {
  for (const file of files) {
    try {
      return { file, text: await readFile(file, 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ConfigurationError(`cannot read ${file}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
  }
  return undefined;
}

/**
 * Credentials of the cloud named by `OS_CLOUD` from the first clouds.yaml found.
 *
 * @returns `[neutron]` settings; empty when `OS_CLOUD` is unset
 * @throws ConfigurationError when `OS_CLOUD` is set but no clouds.yaml has that cloud, or the YAML is invalid
 */
export async function credentialsFromCloudsYaml(
  env: NodeJS.ProcessEnv,
  cwd: string,
  home: string,
): Promise<CredentialSetting[]> {
  const cloud = env.OS_CLOUD;
  if (cloud === undefined || cloud === '') return [];
  const candidates = cloudsYamlCandidates(env, cwd, home);
  const found = await readFirst(candidates);
  if (found === undefined) {
    throw new ConfigurationError(
      `OS_CLOUD=${cloud} but no clouds.yaml found (looked in ${candidates.join(', ')})`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(found.text);
  } catch (err) {
    throw new ConfigurationError(`${found.file}: invalid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const clouds = (doc as { clouds?: Record<string, unknown> } | null)?.clouds ?? {};
  const entry = clouds[cloud] as Record<string, unknown> | undefined;
  if (entry === undefined || entry === null || typeof entry !== 'object') {
    const known = Object.keys(clouds).join(', ') || 'none';
    throw new ConfigurationError(`${found.file}: no cloud '${cloud}' (OS_CLOUD); clouds: ${known}`);
  }
  const source: ValueSource = { kind: 'clouds.yaml', file: found.file, cloud };
  const settings: CredentialSetting[] = [];
  const put = (key: string, v: unknown) => {
    if (typeof v === 'string' && v !== '') settings.push({ key, value: v, source });
    if (typeof v === 'number' || typeof v === 'boolean')
      settings.push({ key, value: String(v), source });
  };
  const auth = (entry.auth ?? {}) as Record<string, unknown>;
  for (const key of CLOUD_AUTH_KEYS) put(key, auth[key]);
  put('auth_type', entry.auth_type);
  put('region_name', entry.region_name);
  if (typeof entry.interface === 'string') put('endpoint_type', iface(entry.interface));
  put('cafile', entry.cacert);
  put('certfile', entry.cert);
  put('keyfile', entry.key);
  if (entry.verify === false) put('insecure', 'true');
  put('timeout', entry.api_timeout);
  put('endpoint_override', entry.network_endpoint_override ?? entry.endpoint_override);
  inferAuthType(settings, source);
  return settings;
}
