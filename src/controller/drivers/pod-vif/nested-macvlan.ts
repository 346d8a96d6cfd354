/**
 * @module `nested-macvlan`: pods in a VM get a plain Neutron port whose IP+MAC is added to the VM port's
 * `allowed_address_pairs` (revision-guarded, see allowed-address-pairs.ts); the CNI side makes a
 * bridge-mode macvlan device with that MAC on `[binding] link_iface`.
 */
import type { Logger } from 'pino';
import { isNotFoundError, NotReadyError, ValidationError } from '../../../common/errors/index.js';
import { KeyedMutex } from '../../../common/keyed-mutex.js';
import type { MacvlanNestedVif, Vif } from '../../../models/vif.js';
import type { NeutronClient, Port } from '../../../openstack/neutron/index.js';
import type { DriverDeps } from '../deps.js';
import { addPairs, removePairs, updateAllowedAddressPairs } from './allowed-address-pairs.js';
import { findParentPort } from './nested-parent.js';
import { checkRequest } from './neutron-vif.js';
import { createPortsTagged, podPortBody } from './port-request.js';
import type { CallOptions, PodRef, PodVifDriver, VifRequest } from './types.js';
import { vifBase } from './vif-from-port.js';

/** Options of {@link NestedMacvlanPodVifDriver}. */
export interface NestedMacvlanOptions {
  /** `[pod_vif_nested] worker_nodes_subnets`. */
  workerSubnets: readonly string[];
  /** `[pod_vif_nested] rev_update_attempts`. @default 3 */
  revUpdateAttempts?: number;
  /** `[kubernetes] port_debug`. @default false */
  portDebug?: boolean;
  /** `[neutron_defaults] resource_tags`. @default [] */
  resourceTags?: readonly string[];
}

/** The `nested-macvlan` Pod VIF driver. */
export class NestedMacvlanPodVifDriver implements PodVifDriver {
  readonly alias = 'nested-macvlan';
  /**
   * Serialises pair edits per VM port in this process. NOTE: needed on top of If-Match: the test bed's
   * Neutron accepted concurrent PUTs carrying the same revision (lost updates seen in
   * test/integration/controller/nested.test.ts); If-Match still guards against other writers.
   */
  private readonly portLocks = new KeyedMutex();

  constructor(
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    private readonly o: NestedMacvlanOptions,
  ) {}

  /** Builds the driver from kuryr.conf. */
  static fromDeps(d: DriverDeps): NestedMacvlanPodVifDriver {
    return new NestedMacvlanPodVifDriver(d.neutron, d.log, {
      workerSubnets: d.config.podVifNested.workerNodesSubnets,
      revUpdateAttempts: d.config.podVifNested.revUpdateAttempts,
      portDebug: d.config.kubernetes.portDebug,
      resourceTags: d.config.neutronDefaults.resourceTags,
    });
  }

  async requestVif(req: VifRequest, opts: CallOptions = {}): Promise<Vif> {
    const [vif] = await this.create(req, 1, false, opts.signal);
    return vif as Vif;
  }

  async requestVifs(req: VifRequest, count: number, opts: CallOptions = {}): Promise<Vif[]> {
    if (!Number.isInteger(count) || count < 0) {
      throw new ValidationError(`requestVifs: count must be a non-negative integer, got ${count}`);
    }
    if (count === 0) return [];
    return this.create(req, count, true, opts.signal);
  }

  /** Removes the pod's pairs from the VM port (when the node is known), then deletes the port. */
  async releaseVif(vif: Vif, pod?: PodRef, opts: CallOptions = {}): Promise<void> {
    const ips = vif.network.subnets.flatMap((s) => s.ips);
    if (pod?.hostIp && ips.length > 0) {
      const parent = await findParentPort(
        this.neutron,
        this.o.workerSubnets,
        pod.hostIp,
        opts.signal,
      );
      await this.portLocks
        .run(parent.id, () =>
          updateAllowedAddressPairs(
            this.neutron,
            parent.id,
            removePairs(ips),
            this.attempts(),
            this.log,
            opts.signal,
          ),
        )
        .catch((error: unknown) => {
          if (!isNotFoundError(error)) throw error;
        });
    }
    await this.neutron.ports.deleteIfExists(vif.id, { signal: opts.signal });
  }

  /** The macvlan port itself never binds; it is usable once its pair is on the VM port. */
  activateVif(vif: Vif): Promise<Vif> {
    return Promise.resolve(vif.active ? vif : { ...vif, active: true });
  }

  async updateVifSgs(vif: Vif, sgs: readonly string[], opts: CallOptions = {}): Promise<void> {
    await this.neutron.ports.update(vif.id, { security_groups: [...sgs] }, { signal: opts.signal });
  }

  private attempts(): number {
    return this.o.revUpdateAttempts ?? 3;
  }

  private async create(
    req: VifRequest,
    count: number,
    pooled: boolean,
    signal?: AbortSignal,
  ): Promise<MacvlanNestedVif[]> {
    checkRequest(req);
    const parent = await findParentPort(this.neutron, this.o.workerSubnets, req.pod.hostIp, signal);
    const body = podPortBody(req, { portDebug: this.o.portDebug ?? false, pooled });
    const ports = await createPortsTagged(
      this.neutron,
      Array.from({ length: count }, () => body),
      this.o.resourceTags ?? [],
      this.log,
      signal,
    );
    try {
      await this.portLocks.run(parent.id, () =>
        updateAllowedAddressPairs(
          this.neutron,
          parent.id,
          addPairs(ports.flatMap(pairsOf)),
          this.attempts(),
          this.log,
          signal,
        ),
      );
    } catch (error) {
      await Promise.all(
        ports.map((p) => this.neutron.ports.deleteIfExists(p.id).catch(() => false)),
      );
      throw isNotFoundError(error)
        ? new NotReadyError(`node port ${parent.id} vanished while adding pairs`, { cause: error })
        : error;
    }
    return ports.map((p) => ({
      ...vifBase(p, req.subnets),
      type: 'macvlan-nested',
      active: true,
    }));
  }
}

function pairsOf(p: Port): { ip_address: string; mac_address: string }[] {
  return p.fixed_ips.map((f) => ({ ip_address: f.ip_address, mac_address: p.mac_address }));
}
