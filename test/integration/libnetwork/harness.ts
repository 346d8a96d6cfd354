/**
 * Harness of the libnetwork integration suite: the plugin served in-process on a real unix socket, talking
 * to the real test-bed Neutron through a counting `ServiceClient`, with a recording host binder (host
 * plumbing is proven by the e2e suite with real dockerd). Default subnetpools get per-run `kl-` names.
 * dockerd's call sequences (network create/remove, attach/detach) are in docker-calls.ts.
 *
 * @module test/integration/libnetwork/harness
 */
import { request } from 'node:http';
import { pino } from 'pino';
import { ignoreNotFound } from '../../../src/common/errors/index.js';
import { idTags } from '../../../src/common/tags.js';
import { createLibnetworkServer } from '../../../src/libnetwork/create-libnetwork.js';
import type { HostBinder } from '../../../src/libnetwork/host-binder.js';
import { RestLibnetworkNeutron } from '../../../src/libnetwork/neutron-rest.js';
import type { LibnetworkOptions } from '../../../src/libnetwork/options.js';
import { defaultLibnetworkOptions } from '../../../src/libnetwork/options.js';
import type { LibnetworkServer } from '../../../src/libnetwork/server.js';
import type { ApiRequest, ServiceClient } from '../../../src/openstack/http/types.js';
import { createOpenStackSession, type OpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv, type OpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

// The dockerd call sequences live in docker-calls.ts; re-exported so the suites keep one import.
export {
  attach,
  createDockerNetwork,
  detach,
  dockerId,
  removeDockerNetwork,
} from './docker-calls.js';

/** A ServiceClient that counts (and records) every request. */
export class CountingClient implements ServiceClient {
  readonly serviceType: string;
  readonly log: ApiRequest[] = [];
  constructor(private readonly inner: ServiceClient) {
    this.serviceType = inner.serviceType;
  }
  get count(): number {
    return this.log.length;
  }
  /** Total wall time spent in Neutron requests (ms). */
  ms = 0;
  async request<T>(req: ApiRequest) {
    this.log.push(req);
    const t0 = performance.now();
    try {
      return await this.inner.request<T>(req);
    } finally {
      this.ms += performance.now() - t0;
    }
  }
  endpoint(signal?: AbortSignal) {
    return this.inner.endpoint(signal);
  }
}

/** Everything one test file needs. */
export interface Bed {
  env: OpenStackEnv;
  prefix: string;
  session: OpenStackSession;
  client: CountingClient;
  neutron: RestLibnetworkNeutron;
  options: LibnetworkOptions;
  server: LibnetworkServer;
  socket: string;
  plugged: string[];
  /** POST to the plugin over its unix socket. */
  call(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Replaces the server by a fresh one (a plugin restart: no in-memory state survives). */
  restart(): Promise<void>;
  /** Docker network IDs to clean up. */
  networks: Set<string>;
  /** Neutron ids to delete at the end, by collection. */
  created: { kind: 'networks' | 'subnetpools' | 'ports' | 'subnets'; id: string }[];
  close(): Promise<void>;
}

/** POST over a unix socket the way dockerd does (no Content-Type, empty Host). */
export function postUnix(
  socketPath: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path,
        method: 'POST',
        headers: {
          Host: '',
          Accept: 'application/vnd.docker.plugins.v1.2+json',
          'Content-Length': Buffer.byteLength(text),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(raw || '{}') as Record<string, unknown>,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Brings up the plugin against the real Neutron with per-run default pools `kl-…-kuryr`/`kuryr6`. */
export async function startBed(overrides: Partial<LibnetworkOptions> = {}): Promise<Bed> {
  const env = requireOpenStackEnv();
  const prefix = testPrefix('kl-it');
  const log = pino({ level: process.env.KL_LOG ?? 'silent' });
  const session = createOpenStackSession(
    {
      auth: {
        type: 'password',
        authUrl: env.authUrl,
        username: env.username,
        password: env.password,
        projectName: env.projectName,
        userDomainName: env.userDomainName,
        projectDomainName: env.projectDomainName,
      },
      regionName: env.region,
      endpointOverrides: { network: env.neutronUrl },
    },
    log,
  );
  const client = new CountingClient(session.client('network'));
  const neutron = new RestLibnetworkNeutron(client);
  const created: Bed['created'] = [];
  const v4 = await neutron.create('subnetpools', {
    name: `${prefix}-kuryr`,
    prefixes: ['10.231.0.0/16'],
    default_prefixlen: 24,
  });
  created.push({ kind: 'subnetpools', id: v4.id });
  const v6 = await neutron.create('subnetpools', {
    name: `${prefix}-kuryr6`,
    prefixes: ['fd31:7b::/48'],
    default_prefixlen: 64,
  });
  created.push({ kind: 'subnetpools', id: v6.id });
  const options: LibnetworkOptions = {
    ...defaultLibnetworkOptions(env.bindingHost),
    subnetpoolNamePrefix: `${prefix}-kuryrPool`,
    defaultSubnetpoolV4: `${prefix}-kuryr`,
    defaultSubnetpoolV6: `${prefix}-kuryr6`,
    ...overrides,
  };
  const plugged: string[] = [];
  const binder: HostBinder = {
    plug: (port) => {
      plugged.push(port.id);
      return Promise.resolve(`t_c${port.id.slice(0, 11)}`);
    },
    unplug: (port) => {
      const i = plugged.indexOf(port.id);
      if (i >= 0) plugged.splice(i, 1);
      return Promise.resolve();
    },
  };
  const socket = `/tmp/${prefix}.sock`;
  const make = () => createLibnetworkServer({ neutron, binder, options, log });
  const bed: Bed = {
    env,
    prefix,
    session,
    client,
    neutron,
    options,
    server: make(),
    socket,
    plugged,
    networks: new Set(),
    created,
    call: (path, body) => postUnix(socket, path, body),
    async restart() {
      await bed.server.close();
      bed.server = make();
      await bed.server.listen({ socketPath: socket });
    },
    async close() {
      await bed.server.close();
      // Docker networks left behind by a failed test: delete by tag, then every recorded object
      for (const id of bed.networks) {
        const nets = await neutron.list('networks', { tags: idTags(id).join(',') }).catch(() => []);
        for (const n of nets) {
          const ports = await neutron.list('ports', { network_id: n.id });
          for (const p of ports)
            if (p.device_owner !== 'network:dhcp')
              await ignoreNotFound(() => neutron.delete('ports', p.id));
          if (n.name.startsWith('kuryr-net-'))
            await ignoreNotFound(() => neutron.delete('networks', n.id));
        }
      }
      for (const { kind, id } of [...created].reverse()) {
        if (kind === 'subnetpools') {
          const subnets = await neutron.list('subnets', { subnetpool_id: id }).catch(() => []);
          for (const s of subnets)
            await ignoreNotFound(() => neutron.delete('subnets', s.id)).catch(() => false);
        }
        await ignoreNotFound(() => neutron.delete(kind, id)).catch(() => false);
      }
      const pools = await neutron.list('subnetpools', {}).catch(() => []);
      for (const sp of pools.filter((p) => p.name.startsWith(prefix))) {
        await ignoreNotFound(() => neutron.delete('subnetpools', sp.id)).catch(() => false);
      }
      await session.close();
    },
  };
  await bed.server.listen({ socketPath: socket });
  return bed;
}
