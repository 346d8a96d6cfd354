/**
 * `DockerSuite`: one describe block of the Docker e2e suite — its bed (docker-harness.ts) started in
 * `before`, and a record of the containers, networks and Neutron objects its tests made, removed in
 * `after` and checked by `leftovers()`.
 *
 * @module test/e2e/docker/docker-suite
 */
import { after, before } from 'node:test';
import { idTags } from '../../../src/common/tags.js';
import {
  docker,
  endpointPort,
  neutronNetworkOf,
  runContainer,
  startDockerBed,
  type DockerBed,
  type DockerBedOptions,
} from './docker-harness.js';

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
