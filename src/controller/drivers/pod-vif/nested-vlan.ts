/**
 * @module `nested-vlan`: pods in a VM get a trunk subport of the VM's port (found by the node IP), with a
 * VLAN id never already used on that trunk; the CNI side makes a VLAN device on `[binding] link_iface`.
 */
import type { Logger } from 'pino';
import {
  ConfigurationError,
  isConflictError,
  isNotFoundError,
  NotReadyError,
  ValidationError,
} from '../../../common/errors/index.js';
import { KeyedMutex } from '../../../common/keyed-mutex.js';
import type { Vif, VlanNestedVif } from '../../../models/vif.js';
import type { NeutronClient, Port } from '../../../openstack/neutron/index.js';
import { attachWithFreeSegmentationIds } from '../../../openstack/neutron/nested-cas.js';
import type { DriverDeps } from '../deps.js';
import { checkRequest } from './neutron-vif.js';
import { findParentPort } from './nested-parent.js';
import { createPortsTagged, podPortBody } from './port-request.js';
import type { CallOptions, PodRef, PodVifDriver, VifRequest } from './types.js';
import { vifBase } from './vif-from-port.js';

/** Options of {@link NestedVlanPodVifDriver}. */
export interface NestedVlanOptions {
  /** `[pod_vif_nested] worker_nodes_subnets`. */
  workerSubnets: readonly string[];
  /** `[kubernetes] port_debug`. @default false */
  portDebug?: boolean;
  /** `[neutron_defaults] resource_tags`. @default [] */
  resourceTags?: readonly string[];
  /** Attempts of add_subports when another writer took the chosen id. @default 5 */
  attempts?: number;
  /** Random source for the id choice. @default Math.random */
  random?: () => number;
}

/** The `nested-vlan` Pod VIF driver. */
export class NestedVlanPodVifDriver implements PodVifDriver {
  readonly alias = 'nested-vlan';
  /** Serialises subport changes per trunk in this process (other writers: the 409 retry). */
  private readonly trunkLocks = new KeyedMutex();

  constructor(
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    private readonly o: NestedVlanOptions,
  ) {}

  /** Builds the driver from kuryr.conf. */
  static fromDeps(d: DriverDeps): NestedVlanPodVifDriver {
    return new NestedVlanPodVifDriver(d.neutron, d.log, {
      workerSubnets: d.config.podVifNested.workerNodesSubnets,
      portDebug: d.config.kubernetes.portDebug,
      resourceTags: d.config.neutronDefaults.resourceTags,
      attempts: Math.max(3, d.config.podVifNested.revUpdateAttempts),
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

  /** Removes the subport from the trunk (if still there), then deletes the port. Idempotent. */
  async releaseVif(vif: Vif, pod?: PodRef, opts: CallOptions = {}): Promise<void> {
    const signal = opts.signal;
    let trunkId: string | undefined;
    if (pod?.hostIp) {
      const parent = await findParentPort(
        this.neutron,
        this.o.workerSubnets,
        pod.hostIp,
        signal,
      ).catch(() => undefined);
      trunkId = parent?.trunk_details?.trunk_id;
    }
    trunkId ??= await this.trunkOfSubport(vif.id, signal);
    if (trunkId !== undefined) {
      const id = trunkId;
      await this.trunkLocks.run(id, async () => {
        await this.neutron.trunks
          .removeSubports(id, [vif.id], { signal })
          .catch((error: unknown) => {
            // NotFound: not a subport any more (or trunk gone) — the goal state already.
            if (!isNotFoundError(error)) throw error;
          });
      });
    }
    await this.neutron.ports.deleteIfExists(vif.id, { signal });
  }

  async activateVif(vif: Vif, opts: CallOptions = {}): Promise<Vif> {
    if (vif.active) return vif;
    const port = await this.neutron.ports.get(vif.id, { signal: opts.signal });
    if (port.status !== 'ACTIVE') {
      throw new NotReadyError(`subport ${vif.id} is ${port.status}, not ACTIVE yet`);
    }
    return { ...vif, active: true };
  }

  async updateVifSgs(vif: Vif, sgs: readonly string[], opts: CallOptions = {}): Promise<void> {
    await this.neutron.ports.update(vif.id, { security_groups: [...sgs] }, { signal: opts.signal });
  }

  private async create(
    req: VifRequest,
    count: number,
    pooled: boolean,
    signal?: AbortSignal,
  ): Promise<VlanNestedVif[]> {
    checkRequest(req);
    const parent = await findParentPort(this.neutron, this.o.workerSubnets, req.pod.hostIp, signal);
    const trunkId = parent.trunk_details?.trunk_id;
    if (trunkId === undefined) {
      throw new ConfigurationError(
        `node port ${parent.id} (IP ${req.pod.hostIp}) is not a trunk parent: create a trunk on it`,
      );
    }
    const body = podPortBody(req, {
      portDebug: this.o.portDebug ?? false,
      pooled,
      noDeviceId: true,
    });
    const ports = await createPortsTagged(
      this.neutron,
      Array.from({ length: count }, () => body),
      this.o.resourceTags ?? [],
      this.log,
      signal,
    );
    try {
      const ids = await this.trunkLocks.run(trunkId, () => this.attach(trunkId, ports, signal));
      return ports.map((p, i) => ({
        ...vifBase(p, req.subnets),
        type: 'vlan-nested',
        vlanId: ids[i] as number,
      }));
    } catch (error) {
      await Promise.all(
        ports.map((p) => this.neutron.ports.deleteIfExists(p.id).catch(() => false)),
      );
      throw error;
    }
  }

  /**
   * add_subports with fresh random free ids (shared CAS loop, src/openstack/neutron/nested-cas.ts); a
   * 409 (id or port taken meanwhile) re-reads and retries, the last 409 is raised after `attempts`.
   */
  private attach(trunkId: string, ports: Port[], signal?: AbortSignal): Promise<number[]> {
    return attachWithFreeSegmentationIds(
      {
        read: async (s) => ({
          used: (await this.neutron.trunks.getSubports(trunkId, { signal: s })).map(
            (sp) => sp.segmentation_id,
          ),
        }),
        add: async (ids, s) => {
          await this.neutron.trunks.addSubports(
            trunkId,
            ports.map((p, i) => ({
              port_id: p.id,
              segmentation_type: 'vlan',
              segmentation_id: ids[i] as number,
            })),
            { signal: s },
          );
        },
      },
      ports.length,
      {
        attempts: this.o.attempts ?? 5,
        isLostRace: isConflictError,
        exhausted: (last) => last as Error,
        onRetry: (attempt) =>
          this.log.info({ trunkId, attempt }, 'segmentation id taken concurrently; retrying'),
        random: this.o.random ?? Math.random,
        ...(signal ? { signal } : {}),
      },
    );
  }

  private async trunkOfSubport(portId: string, signal?: AbortSignal): Promise<string | undefined> {
    for await (const t of this.neutron.trunks.list({}, { signal })) {
      if (t.sub_ports.some((s) => s.port_id === portId)) return t.id;
    }
    return undefined;
  }
}
