/**
 * Harness of the Docker e2e suite: the private dockerd of scripts/docker.sh, the kuryr plugin served
 * in-process on /run/docker/plugins/<name>.sock with the real binding drivers, and the real Neutron.
 * The per-describe bookkeeping (`DockerSuite`) is in docker-suite.ts.
 *
 * @module test/e2e/docker/docker-harness
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
