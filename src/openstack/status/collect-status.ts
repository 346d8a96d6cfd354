/**
 * @module `kuryr status`: checks, with bounded requests, that Keystone authenticates and scopes, that
 * Neutron answers with a CURRENT API version and the extensions kuryr needs, that the default subnetpools
 * exist, and whether Octavia answers. Read-only: only GET requests.
 */
import type { ServiceClient } from '../http/types.js';
import type { OpenStackSession } from '../session.js';
import { extensionChecks, tagModeOf } from './extensions.js';
import type { StatusCheck, StatusOptions, StatusReport, TagMode } from './types.js';

/** The parts of a session the status needs (a fake session in unit tests). */
export type StatusSession = Pick<OpenStackSession, 'client' | 'identity'>;

interface Version {
  id?: string;
  status?: string;
}

function message(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

async function keystoneCheck(session: StatusSession, timeoutMs: number): Promise<StatusCheck> {
  if (session.identity.mode === 'noauth') {
    return {
      id: 'keystone',
      group: 'keystone',
      state: 'ok',
      mandatory: true,
      detail: 'noauth mode: no Keystone, endpoints configured explicitly',
    };
  }
  try {
    const info = await session.identity.tokenInfo(AbortSignal.timeout(timeoutMs));
    const scope = info.system
      ? 'system scope (all)'
      : info.project !== undefined
        ? `project '${info.project.name ?? info.project.id}'`
        : info.domain !== undefined
          ? `domain '${info.domain.name ?? info.domain.id}'`
          : undefined;
    const who = `user '${info.user?.name ?? info.user?.id ?? '?'}'`;
    if (scope === undefined) {
      return {
        id: 'keystone',
        group: 'keystone',
        state: 'error',
        mandatory: true,
        detail: `${who} authenticated but the token is unscoped (no catalog)`,
        disables: 'everything: set project_name/project_id or system_scope in [neutron]',
      };
    }
    const admin = info.roles.includes('admin');
    return {
      id: 'keystone',
      group: 'keystone',
      state: admin ? 'ok' : 'warning',
      mandatory: true,
      detail: `${who}, ${scope}, roles: ${info.roles.join(', ') || 'none'} (at ${session.identity.baseUrl})`,
      ...(admin
        ? {}
        : {
            disables:
              'binding:host_id on ports needs the admin role: binding will be refused (403)',
          }),
    };
  } catch (error) {
    return {
      id: 'keystone',
      group: 'keystone',
      state: 'error',
      mandatory: true,
      detail: message(error),
      disables: 'everything: no token, no service catalog',
    };
  }
}

async function neutronVersion(net: ServiceClient, timeoutMs: number): Promise<StatusCheck> {
  try {
    const endpoint = await net.endpoint(AbortSignal.timeout(timeoutMs));
    const res = await net.request<{ versions?: Version[] }>({
      method: 'GET',
      path: '/',
      timeoutMs,
    });
    const current = res.body?.versions?.find((v) => v.status === 'CURRENT');
    return {
      id: 'neutron',
      group: 'neutron',
      state: current !== undefined ? 'ok' : 'error',
      mandatory: true,
      detail:
        current !== undefined
          ? `API ${current.id ?? '?'} CURRENT at ${endpoint}`
          : `no CURRENT API version at ${endpoint}`,
    };
  } catch (error) {
    return {
      id: 'neutron',
      group: 'neutron',
      state: 'error',
      mandatory: true,
      detail: message(error),
      disables: 'everything: Neutron is unreachable',
    };
  }
}

async function subnetpoolCheck(
  net: ServiceClient,
  name: string,
  timeoutMs: number,
): Promise<StatusCheck> {
  const id = `subnetpool:${name}`;
  try {
    const res = await net.request<{
      subnetpools: { id: string; prefixes?: string[]; ip_version?: number }[];
    }>({
      method: 'GET',
      path: '/v2.0/subnetpools',
      query: { name, fields: ['id', 'prefixes', 'ip_version'] },
      timeoutMs,
    });
    const pools = res.body.subnetpools;
    const [pool] = pools;
    if (pool === undefined) {
      return {
        id,
        group: 'subnetpool',
        state: 'warning',
        mandatory: false,
        detail: 'missing',
        disables: `docker networks without --subnet / neutron.pool cannot get a subnet from '${name}'`,
      };
    }
    return {
      id,
      group: 'subnetpool',
      state: pools.length > 1 ? 'warning' : 'ok',
      mandatory: false,
      detail:
        `${pool.id} (IPv${pool.ip_version ?? '?'} ${(pool.prefixes ?? []).join(', ')})` +
        (pools.length > 1
          ? `; ${pools.length} pools share this name: lookups by name are ambiguous`
          : ''),
    };
  } catch (error) {
    return { id, group: 'subnetpool', state: 'error', mandatory: false, detail: message(error) };
  }
}

async function octaviaCheck(
  session: StatusSession,
  required: boolean,
  timeoutMs: number,
): Promise<StatusCheck> {
  const disables = 'Kubernetes Services (load balancers via Octavia)';
  try {
    const lb = session.client('load-balancer');
    const endpoint = await lb.endpoint(AbortSignal.timeout(timeoutMs));
    const res = await lb.request<{ versions?: Version[] }>({ method: 'GET', path: '/', timeoutMs });
    const current = res.body?.versions?.find((v) => v.status === 'CURRENT');
    return {
      id: 'octavia',
      group: 'octavia',
      state: current !== undefined ? 'ok' : required ? 'error' : 'warning',
      mandatory: required,
      detail:
        current !== undefined
          ? `API ${current.id ?? '?'} CURRENT at ${endpoint}`
          : `no CURRENT API version at ${endpoint}`,
    };
  } catch (error) {
    return {
      id: 'octavia',
      group: 'octavia',
      state: required ? 'missing' : 'warning',
      mandatory: required,
      detail: message(error),
      disables,
    };
  }
}

/**
 * Runs every check. Never throws for an unhealthy cloud: problems become rows of the report.
 * @param session an OpenStack session (createOpenStackSession).
 * @param options what to check.
 */
export async function collectStatus(
  session: StatusSession,
  options: StatusOptions = {},
): Promise<StatusReport> {
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const checks: StatusCheck[] = [await keystoneCheck(session, timeoutMs)];
  let tagMode: TagMode | undefined;
  let neutronEndpoint: string | undefined;
  if (checks[0]?.state !== 'error') {
    const net = session.client('network');
    const version = await neutronVersion(net, timeoutMs);
    checks.push(version);
    if (version.state !== 'error') {
      neutronEndpoint = await net.endpoint();
      try {
        const res = await net.request<{ extensions: { alias: string }[] }>({
          method: 'GET',
          path: '/v2.0/extensions',
          timeoutMs,
        });
        const aliases = new Set(res.body.extensions.map((e) => e.alias));
        tagMode = tagModeOf(aliases);
        checks.push(...extensionChecks(aliases));
      } catch (error) {
        checks.push({
          id: 'extensions',
          group: 'extension',
          state: 'error',
          mandatory: true,
          detail: message(error),
          disables: 'feature detection: kuryr cannot start without subnet_allocation',
        });
      }
      const pools = [
        options.defaultSubnetpoolV4 ?? 'kuryr',
        options.defaultSubnetpoolV6 ?? 'kuryr6',
      ];
      for (const name of pools) checks.push(await subnetpoolCheck(net, name, timeoutMs));
    }
  }
  checks.push(await octaviaCheck(session, options.requireOctavia === true, timeoutMs));
  const ok = checks.every((c) => !c.mandatory || c.state === 'ok' || c.state === 'warning');
  return { ok, checks, tagMode, neutronEndpoint, checkedAt: new Date().toISOString() };
}
