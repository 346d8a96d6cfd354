/**
 * Harness of the Docker e2e suite: the private dockerd of scripts/docker.sh, the kuryr plugin served
 * in-process on /run/docker/plugins/<name>.sock with the real binding drivers, and the real Neutron.
 *
 * @module test/e2e/docker/docker-harness
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { ignoreNotFound } from '../../../src/common/errors/index.js';
import { idTags } from '../../../src/common/tags.js';
import { RestLibnetworkNeutron } from '../../../src/libnetwork/neutron-rest.js';
import { defaultLibnetworkOptions } from '../../../src/libnetwork/options.js';
import { createDockerPortPool } from '../../../src/libnetwork/port-pool-factory.js';
import type { PortPool } from '../../../src/libnetwork/port-pool.js';
import type { CallObserver } from '../../../src/libnetwork/server.js';
import {
  startLibnetwork,
  type RunningLibnetwork,
} from '../../../src/libnetwork/start-libnetwork.js';
import { createOpenStackSession, type OpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv, type OpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

const run = promisify(execFile);

/** The DOCKER_HOST of scripts/docker.sh (or the environment). */
export function dockerHost(): string {
  return process.env.DOCKER_HOST ?? 'unix:///tmp/kuryr-docker/docker.sock';
}

/** Runs the docker CLI against the private dockerd; rejects with stderr on failure. */
export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('/usr/bin/docker', ['-H', dockerHost(), ...args], {
      timeout: 120_000,
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

/** Fails clearly when the private dockerd is not running. */
export async function requireDocker(): Promise<void> {
  try {
    await docker('version', '--format', '{{.Server.Version}}');
  } catch (error) {
    throw new Error(
      `dockerd not reachable at ${dockerHost()}: run scripts/docker.sh start (${String(error)})`,
    );
  }
  if (process.getuid?.() !== 0) throw new Error('the Docker e2e suite needs root');
}

/** The plugin + Neutron + names of one e2e file. */
export interface DockerBed {
  env: OpenStackEnv;
  /** binding:host_id the plugin uses. */
  host: string;
  prefix: string;
  driver: string;
  session: OpenStackSession;
  neutron: RestLibnetworkNeutron;
  plugin: RunningLibnetwork;
  /** The plugin's port pool (with `pool`). */
  portPool?: PortPool;
  defaultPools: string[];
  restartPlugin(): Promise<void>;
  close(): Promise<void>;
}

/** Options of a Docker bed. */
export interface DockerBedOptions {
  vifPluggingIsFatal?: boolean;
  /**
   * `[vif_pool]` sizes: serve with a port pool (own Neutron client, recovered at each plugin start, closed at
   * the end). Use its own `driver` name: dockerd keeps a plugin's IPAM capabilities (RequiresMACAddress) from
   * its first activation, and a pool changes them.
   */
  pool?: { min: number; batch: number; max: number };
  /** Driver (plugin socket) name. @default 'kl-kuryr' */
  driver?: string;
  /** testPrefix base. @default 'kl-e2e' */
  prefixBase?: string;
  /** Per-call timing hook of the plugin server (bench). */
  observe?: CallObserver;
}

/** Starts the plugin as driver `kl-kuryr` (or `o.driver`) with per-run default pools. */
export async function startDockerBed(o: DockerBedOptions = {}): Promise<DockerBed> {
  const { pool: poolSizes, driver: driverName, prefixBase, observe, ...overrides } = o;
  await requireDocker();
  const env = requireOpenStackEnv();
  const prefix = testPrefix(prefixBase ?? 'kl-e2e');
  const driver = driverName ?? 'kl-kuryr';
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
  const network = session.client('network');
  const neutron = new RestLibnetworkNeutron(network);
  const v4 = await neutron.create('subnetpools', {
    name: `${prefix}-kuryr`,
    prefixes: ['10.239.0.0/16'],
    default_prefixlen: 24,
  });
  const v6 = await neutron.create('subnetpools', {
    name: `${prefix}-kuryr6`,
    prefixes: ['fd31:7d::/48'],
    default_prefixlen: 64,
  });
  // KL_E2E_AGENT=ovs binds to the OVS agent's host instead of the linuxbridge agent's
  const ovs = process.env.KL_E2E_AGENT === 'ovs';
  if (ovs && (!env.ovsBindingHost || !env.ovsdbSock)) throw new Error('bed has no OVS agent');
  const host = ovs ? env.ovsBindingHost : env.bindingHost;
  const { tagMode: _t, ...defaults } = defaultLibnetworkOptions(host);
  const options = {
    ...defaults,
    subnetpoolNamePrefix: `${prefix}-kuryrPool`,
    defaultSubnetpoolV4: v4.name,
    defaultSubnetpoolV6: v6.name,
    // docker run returns only when the port is ACTIVE, so a ping right after works
    vifPluggingIsFatal: true,
    vifPluggingTimeout: 60,
    ...overrides,
  };
  const start = async () => {
    // a plugin (re)start: the pool is recovered from Neutron like `kuryr libnetwork` does
    await holder.bed?.portPool?.close(false);
    const portPool = poolSizes
      ? await createDockerPortPool(session.client('network'), { ...poolSizes, host, log })
      : undefined;
    if (holder.bed) holder.bed.portPool = portPool;
    return {
      portPool,
      plugin: await startLibnetwork({
        network,
        log,
        options,
        listen: { socketPath: `/run/docker/plugins/${driver}.sock` },
        detectAttempts: 2,
        ...(ovs ? { ovsdbSocket: env.ovsdbSock } : {}),
        ...(portPool ? { portPool } : {}),
        ...(observe ? { observe } : {}),
      }),
    };
  };
  const holder: { bed?: DockerBed } = {};
  const first = await start();
  const bed: DockerBed = {
    env,
    host,
    prefix,
    driver,
    session,
    neutron,
    plugin: first.plugin,
    portPool: first.portPool,
    defaultPools: [v4.id, v6.id],
    async restartPlugin() {
      await this.plugin.close();
      this.plugin = (await start()).plugin;
    },
    async close() {
      await this.plugin.close();
      await this.portPool?.close();
      for (const id of this.defaultPools) {
        const subnets = await neutron.list('subnets', { subnetpool_id: id }).catch(() => []);
        for (const s of subnets)
          await ignoreNotFound(() => neutron.delete('subnets', s.id)).catch(() => false);
        await ignoreNotFound(() => neutron.delete('subnetpools', id)).catch(() => false);
      }
      await session.close();
    },
  };
  holder.bed = bed;
  return bed;
}

/** Starts a sleeping busybox container on a network; returns its name. */
export async function runContainer(
  bed: DockerBed,
  name: string,
  network: string,
  extra: string[] = [],
): Promise<string> {
  await docker(
    'run',
    '-d',
    '--name',
    name,
    '--network',
    network,
    ...extra,
    'kuryr-test/busybox:latest',
    'sleep',
    '600',
  );
  return name;
}

/** One field of a container's endpoint on a network (`IPAddress`, `EndpointID`, `MacAddress` …). */
export function endpointField(name: string, network: string, field: string): Promise<string> {
  return docker(
    'inspect',
    '-f',
    `{{(index .NetworkSettings.Networks "${network}").${field}}}`,
    name,
  );
}

/** IPv4 (or with `v6` the global IPv6) address of a container on a network. */
export function containerIp(name: string, network: string, v6 = false): Promise<string> {
  return endpointField(name, network, v6 ? 'GlobalIPv6Address' : 'IPAddress');
}

/** The Neutron port of a container's endpoint on a network (by the lh/uh tags of the endpoint id). */
export async function endpointPort(bed: DockerBed, container: string, network: string) {
  const epId = await endpointField(container, network, 'EndpointID');
  const [port] = await bed.neutron.list('ports', { tags: idTags(epId).join(',') });
  assert.ok(port, `Neutron port of ${container} on ${network}`);
  return port;
}

/** The Neutron network of a Docker network (by the lh/uh tags of its full id). */
export async function neutronNetworkOf(bed: DockerBed, dockerName: string) {
  const id = await docker('network', 'inspect', '-f', '{{.Id}}', dockerName);
  const [net] = await bed.neutron.list('networks', { tags: idTags(id).join(',') });
  return { dockerId: id, network: net };
}

/**
 * One describe block's bed and what its tests made: `before` starts the bed, `after` force-removes the
 * containers and networks still recorded, runs the block's own cleanups and closes the bed. The tests
 * remove what they made themselves (`rm`, `netRm`: failures there fail the test) and end with
 * {@link DockerSuite.leftovers}.
 */
export class DockerSuite {
  readonly containers: string[] = [];
  readonly networks: string[] = [];
  readonly dockerIds: string[] = [];
  readonly neutronNets: string[] = [];
  readonly portIds: string[] = [];
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private started?: DockerBed;

  /** Registers the hooks in the current describe block. */
  constructor(options: DockerBedOptions = {}) {
    before(async () => {
      this.started = await startDockerBed(options);
    });
    after(async () => {
      for (const c of this.containers) await docker('rm', '-f', c).catch(() => '');
      for (const n of this.networks) await docker('network', 'rm', n).catch(() => '');
      for (const f of this.cleanups) await f().catch(() => undefined);
      await this.started?.close();
    });
  }

  /** The bed (inside tests). */
  get bed(): DockerBed {
    if (!this.started) throw new Error('the Docker bed is not started (before hook failed)');
    return this.started;
  }

  /** Runs `f` in `after`, once the containers and networks are gone and before the bed closes. */
  onClose(f: () => Promise<unknown>): void {
    this.cleanups.push(f);
  }

  /** `docker network create` of `<prefix>-<suffix>` on the kuryr driver + IPAM, recorded. */
  async createNetwork(suffix: string, args: string[]) {
    const { bed } = this;
    const name = `${bed.prefix}-${suffix}`;
    await docker('network', 'create', '-d', bed.driver, '--ipam-driver', bed.driver, ...args, name);
    this.networks.push(name);
    const { dockerId, network } = await neutronNetworkOf(bed, name);
    this.dockerIds.push(dockerId);
    if (network) this.neutronNets.push(network.id);
    return { name, network };
  }

  /** Starts container `<prefix>-<suffix>` on `network` (see {@link runContainer}), recorded. */
  async run(suffix: string, network: string, extra: string[] = []): Promise<string> {
    const name = await runContainer(this.bed, `${this.bed.prefix}-${suffix}`, network, extra);
    this.containers.push(name);
    return name;
  }

  /** The container's Neutron port on `network` (asserted to exist), recorded for {@link DockerSuite.leftovers}. */
  async portOf(container: string, network: string) {
    const port = await endpointPort(this.bed, container, network);
    this.portIds.push(port.id);
    return port;
  }

  /** `docker rm -f` of recorded containers. */
  async rm(...names: string[]): Promise<void> {
    for (const n of names) {
      await docker('rm', '-f', n);
      const i = this.containers.indexOf(n);
      if (i >= 0) this.containers.splice(i, 1);
    }
  }

  /** `docker network rm` of a recorded network. */
  async netRm(name: string): Promise<void> {
    await docker('network', 'rm', name);
    const i = this.networks.indexOf(name);
    if (i >= 0) this.networks.splice(i, 1);
  }

  /**
   * What kuryr left in Neutron of what was recorded: networks tagged with the Docker network ids, ports
   * (other than DHCP) on the Neutron networks, kuryrPool subnetpools of this run, exposed-ports groups of
   * the ports.
   */
  async leftovers(): Promise<string[]> {
    const n = this.bed.neutron;
    const out: string[] = [];
    for (const id of this.dockerIds) {
      for (const x of await n.list('networks', { tags: idTags(id).join(',') }))
        out.push(`network ${x.id}`);
    }
    for (const id of this.neutronNets) {
      for (const p of await n.list('ports', { network_id: id })) {
        if (p.device_owner !== 'network:dhcp') out.push(`port ${p.id} ${p.device_owner}`);
      }
    }
    for (const sp of await n.list('subnetpools', {})) {
      if (sp.name.startsWith(`${this.bed.prefix}-kuryrPool`)) out.push(`subnetpool ${sp.name}`);
    }
    for (const id of this.portIds) {
      for (const g of await n.list('security-groups', { name: `${id}-exposed_ports` }))
        out.push(`sg ${g.name}`);
    }
    return out;
  }
}
