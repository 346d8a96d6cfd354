/**
 * Connection info of the real test-bed OpenStack started by `scripts/openstack.sh start`.
 *
 * Integration tests read it ONLY through this module: from the process environment when
 * `NEUTRON_URL` is set there (someone sourced env.sh or CI exported it), otherwise from
 * `${KURYR_OS_DIR:-/tmp/kuryr-os}/env.sh`, which `start` writes and `stop` removes — so a
 * stopped bed reads as "absent" instead of as stale URLs.
 *
 * @module test/helpers/openstack-env
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One Keystone account the bed creates (all share the bed's password). */
export interface OpenStackAccount {
  username: string;
  password: string;
  projectName: string;
}

/** Everything a test needs to talk to the bed. URLs carry no trailing slash. */
export interface OpenStackEnv {
  /** State dir of the bed (`KURYR_OS_DIR`). */
  osDir: string;
  /** `password` when Keystone runs, `none` for a noauth-only bed. */
  authType: 'password' | 'none';
  /** Keystone v3 URL (`.../v3`); empty when authType is `none`. */
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  region: string;
  neutronUrl: string;
  /** A second neutron-server on the same DB with `auth_strategy = noauth` (acts as admin). */
  neutronNoauthUrl: string;
  /** Empty when the bed runs without Octavia. */
  octaviaUrl: string;
  octaviaNoauthUrl: string;
  /** binding:host_id served by the linuxbridge agent (or the only agent). */
  bindingHost: string;
  /** binding:host_id served by the OVS agent; empty when no OVS agent runs. */
  ovsBindingHost: string;
  /** vif_type Neutron returns for ports bound to `bindingHost`. */
  vifType: 'bridge' | 'ovs' | 'unbound';
  /** ovsdb-server socket of the bed's Open vSwitch; empty without OVS. */
  ovsdbSock: string;
  /** OVS_RUNDIR for ovs-vsctl/ovs-appctl; empty without OVS. */
  ovsRundir: string;
  /** Integration bridge of the OVS agent. */
  ovsBridge: string;
  /** admin/admin. */
  adminUser: OpenStackAccount;
  /** kuryr: admin role in project `service` (what kuryr.conf uses). */
  kuryrUser: OpenStackAccount;
  /** demo: plain member of project `demo` (no binding:host_id rights). */
  demoUser: OpenStackAccount;
  /** Keystone URL (`.../v3`) whose tokens expire after `shortTokenExpiration` seconds. */
  shortTokenAuthUrl: string;
  shortTokenExpiration: number;
  /** Token lifetime of the main Keystone, seconds. */
  tokenExpiration: number;
}

/** Default state dir of the bed. */
export const DEFAULT_OS_DIR = '/tmp/kuryr-os';

/**
 * Parses the `export A=b C=d   # comment` lines of env.sh. Only what openstack.sh writes is
 * supported: unquoted or simply quoted values, no expansions.
 */
export function parseEnvSh(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('export ')) continue;
    // comments start at an unquoted ` #`
    const body = line.slice('export '.length);
    for (const m of body.matchAll(
      /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s#]*)|\s#.*$/g,
    )) {
      const [, key, value] = m;
      if (key === undefined || value === undefined) continue;
      out[key] = value.replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return out;
}

function trimSlash(url: string | undefined): string {
  return (url ?? '').replace(/\/+$/, '');
}

function toVifType(v: string | undefined): OpenStackEnv['vifType'] {
  return v === 'ovs' || v === 'unbound' ? v : 'bridge';
}

/** Builds the typed object from a variable map (process.env or a parsed env.sh). */
export function openStackEnvFrom(
  vars: Record<string, string | undefined>,
): OpenStackEnv | undefined {
  const neutronUrl = trimSlash(vars.NEUTRON_URL);
  if (!neutronUrl) return undefined;
  const password = vars.OS_PASSWORD ?? '';
  const account = (
    username: string | undefined,
    projectName: string | undefined,
    dflt: string,
  ) => ({
    username: username ?? dflt,
    password,
    projectName: projectName ?? dflt,
  });
  const authType = vars.OS_AUTH_TYPE === 'none' ? 'none' : 'password';
  return {
    osDir: vars.KURYR_OS_DIR ?? DEFAULT_OS_DIR,
    authType,
    authUrl: trimSlash(vars.OS_AUTH_URL),
    username: vars.OS_USERNAME ?? 'admin',
    password,
    projectName: vars.OS_PROJECT_NAME ?? 'admin',
    userDomainName: vars.OS_USER_DOMAIN_NAME ?? 'Default',
    projectDomainName: vars.OS_PROJECT_DOMAIN_NAME ?? 'Default',
    region: vars.OS_REGION_NAME ?? 'RegionOne',
    neutronUrl,
    neutronNoauthUrl: trimSlash(vars.NEUTRON_NOAUTH_URL) || (authType === 'none' ? neutronUrl : ''),
    octaviaUrl: trimSlash(vars.OCTAVIA_URL),
    octaviaNoauthUrl: trimSlash(vars.OCTAVIA_NOAUTH_URL),
    bindingHost: vars.KURYR_BINDING_HOST ?? '',
    ovsBindingHost: vars.KURYR_OVS_BINDING_HOST ?? '',
    vifType: toVifType(vars.KURYR_VIF_TYPE),
    ovsdbSock: vars.KURYR_OVSDB_SOCK ?? '',
    ovsRundir: vars.OVS_RUNDIR ?? '',
    ovsBridge: vars.KURYR_OVS_BRIDGE ?? 'br-int',
    adminUser: account(vars.OS_USERNAME, vars.OS_PROJECT_NAME, 'admin'),
    kuryrUser: account(vars.KURYR_OS_KURYR_USERNAME, vars.KURYR_OS_KURYR_PROJECT, 'kuryr'),
    demoUser: account(vars.KURYR_OS_DEMO_USERNAME, vars.KURYR_OS_DEMO_PROJECT, 'demo'),
    shortTokenAuthUrl: trimSlash(vars.KURYR_SHORT_TOKEN_AUTH_URL),
    shortTokenExpiration: Number(vars.KURYR_SHORT_TOKEN_EXPIRATION ?? 0),
    tokenExpiration: Number(vars.KURYR_TOKEN_EXPIRATION ?? 0),
  };
}

/**
 * The bed's connection info, or `undefined` when no bed is known (no `NEUTRON_URL` in the
 * environment and no readable env.sh).
 */
export function loadOpenStackEnv(env: NodeJS.ProcessEnv = process.env): OpenStackEnv | undefined {
  if (env.NEUTRON_URL) return openStackEnvFrom(env);
  const file = join(env.KURYR_OS_DIR ?? DEFAULT_OS_DIR, 'env.sh');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return openStackEnvFrom(parseEnvSh(text));
}

/** Like {@link loadOpenStackEnv} but throws when the bed is absent, so the test FAILS (never skips). */
export function requireOpenStackEnv(env: NodeJS.ProcessEnv = process.env): OpenStackEnv {
  const found = loadOpenStackEnv(env);
  if (!found) throw new Error('real OpenStack not running: run scripts/openstack.sh start');
  return found;
}

/** Like {@link requireOpenStackEnv}, and also requires the OVS agent (KURYR_OS_AGENT=both|ovs). */
export function requireOvsOpenStackEnv(env: NodeJS.ProcessEnv = process.env): OpenStackEnv {
  const found = requireOpenStackEnv(env);
  if (!found.ovsBindingHost || !found.ovsdbSock) {
    throw new Error(
      'OpenStack bed has no OVS agent: run KURYR_OS_AGENT=both scripts/openstack.sh start',
    );
  }
  return found;
}

/** Like {@link requireOpenStackEnv}, and also requires Octavia (KURYR_OS_OCTAVIA=1). */
export function requireOctaviaOpenStackEnv(env: NodeJS.ProcessEnv = process.env): OpenStackEnv {
  const found = requireOpenStackEnv(env);
  if (!found.octaviaUrl) {
    throw new Error(
      'OpenStack bed runs without Octavia: run KURYR_OS_OCTAVIA=1 scripts/openstack.sh start',
    );
  }
  return found;
}
