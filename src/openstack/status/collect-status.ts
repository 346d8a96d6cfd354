/**
 * @module `kuryr status`: checks, with bounded requests, that Keystone authenticates and scopes, that
 * Neutron answers with a CURRENT API version and the extensions kuryr needs, that the default subnetpools
 * exist, and whether Octavia answers. Read-only: only GET requests.
 */
import type { ServiceClient } from '../http/types.js';
import type { OpenStackSession } from '../session.js';
import { extensionChecks, tagModeOf } from './extensions.js';
import type { CheckState, StatusCheck, StatusOptions, StatusReport, TagMode } from './types.js';

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

/** How a service's version check reports itself. */
interface VersionCheckSpec {
  id: 'neutron' | 'octavia';
  mandatory: boolean;
  /** State when the service cannot be reached (mandatory checks only; optional ones warn). */
  unreachable: CheckState;
  disables: string;
}

/** `GET /` on the service endpoint must list a CURRENT API version. */
async function versionCheck(
  client: () => ServiceClient,
  spec: VersionCheckSpec,
  timeoutMs: number,
): Promise<{ check: StatusCheck; endpoint: string | undefined }> {
  const { id, mandatory, disables } = spec;
  let endpoint: string | undefined;
  try {
    const c = client();
    endpoint = await c.endpoint(AbortSignal.timeout(timeoutMs));
    const res = await c.request<{ versions?: Version[] }>({ method: 'GET', path: '/', timeoutMs });
    const current = res.body?.versions?.find((v) => v.status === 'CURRENT');
    if (current !== undefined) {
      const detail = `API ${current.id ?? '?'} CURRENT at ${endpoint}`;
      return { check: { id, group: id, state: 'ok', mandatory, detail }, endpoint };
    }
    const state: CheckState = mandatory ? 'error' : 'warning';
    const detail = `no CURRENT API version at ${endpoint}`;
    return { check: { id, group: id, state, mandatory, detail, disables }, endpoint };
  } catch (error) {
    const state = mandatory ? spec.unreachable : 'warning';
    return {
      check: { id, group: id, state, mandatory, detail: message(error), disables },
      endpoint,
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
    const version = await versionCheck(
      () => net,
      {
        id: 'neutron',
        mandatory: true,
        unreachable: 'error',
        disables: 'everything: Neutron is unreachable',
      },
      timeoutMs,
    );
    checks.push(version.check);
    if (version.check.state !== 'error') {
      neutronEndpoint = version.endpoint;
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
  const octavia = await versionCheck(
    () => session.client('load-balancer'),
    {
      id: 'octavia',
      mandatory: options.requireOctavia === true,
      unreachable: 'missing',
      disables: 'Kubernetes Services (load balancers via Octavia)',
    },
    timeoutMs,
  );
  checks.push(octavia.check);
  const ok = checks.every((c) => !c.mandatory || c.state === 'ok' || c.state === 'warning');
  return { ok, checks, tagMode, neutronEndpoint, checkedAt: new Date().toISOString() };
}
