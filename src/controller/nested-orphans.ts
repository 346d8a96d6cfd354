/**
 * @module Release of orphaned ports of the nested pod VIF drivers, shared by the orphan collector
 * (`kuryr k8s-gc`, src/controller/gc.ts) and the controller's recovery step
 * (src/controller/handlers/nested-recovery.ts). A `nested-vlan` port is a subport of the node VM's trunk:
 * Neutron refuses to delete a subport, so it is detached first. A `nested-macvlan` port's (IP, MAC)
 * pairs sit in the VM port's `allowed_address_pairs`: they are removed with the same compare-and-set
 * the driver's release uses (src/openstack/neutron/nested-cas.ts), matching IP *and* MAC, so a pair of a
 * newer pod that got the same IP stays. Every step is idempotent (NotFound = done).
 */
import type { Logger } from 'pino';
import { isConflictError, isNotFoundError } from '../common/errors/index.js';
import type { AllowedAddressPair, NeutronClient, Port } from '../openstack/neutron/index.js';
import { removePairs, samePair } from '../openstack/neutron/nested-cas.js';
import { updateAllowedAddressPairs } from './drivers/pod-vif/allowed-address-pairs.js';
import { findParentPort } from './drivers/pod-vif/nested-parent.js';
import { DEVICE_OWNER_KURYR } from './drivers/pod-vif/types.js';
import { POD_UID_DESCRIPTION_PREFIX } from './drivers/pod-vif/port-request.js';

/** `device_owner` Neutron's trunk plugin gives a subport once the parent is bound by an agent. */
export const SUBPORT_DEVICE_OWNER = 'trunk:subport';

/** What the releaser needs from kuryr.conf. */
export interface NestedOrphanOptions {
  /** `[kubernetes] pod_vif_driver`. */
  driver: string;
  /** `[pod_vif_nested] worker_nodes_subnets`: where the node VMs' ports are found. */
  workerSubnets: readonly string[];
  /** `[pod_vif_nested] rev_update_attempts`. @default 3 */
  revUpdateAttempts?: number;
}

/** The node VMs' ports and the trunks the orphans may hang on. */
export interface NestedView {
  /** VM ports of the nodes (parents of trunks, hosts of macvlan pairs). */
  parents: Port[];
  /** subport port id → trunk id. */
  trunkOf: Map<string, string>;
}

/**
 * The pod UID a kuryr port was created for: the `kuryr.pod.uid:` description (nested-vlan subports,
 * whatever Neutron did to their device fields), else the `device_id` of a `compute:kuryr` port; ''.
 */
export function ownerPodUid(port: Port): string {
  const d = port.description ?? '';
  if (d.startsWith(POD_UID_DESCRIPTION_PREFIX)) return d.slice(POD_UID_DESCRIPTION_PREFIX.length);
  return port.device_owner === DEVICE_OWNER_KURYR ? port.device_id : '';
}

/** The (IP, MAC) pairs a macvlan port puts on its VM port. */
export function pairsOfPort(port: Port): AllowedAddressPair[] {
  return port.fixed_ips.map((f) => ({ ip_address: f.ip_address, mac_address: port.mac_address }));
}

/** Detaches / unpairs and deletes orphaned nested pod ports. */
export class NestedOrphanReleaser {
  constructor(
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    readonly o: NestedOrphanOptions,
  ) {}

  /** True when the configured driver is one of the nested ones. */
  get nested(): boolean {
    return this.o.driver === 'nested-vlan' || this.o.driver === 'nested-macvlan';
  }

  /**
   * The VM ports holding `nodeIps` in the worker subnets and their trunks' subports; with `allTrunks`
   * also every other trunk's (the GC: a subport whose node is gone still has to be detached). A node
   * without a VM port (or with several) is skipped.
   */
  async view(
    nodeIps: Iterable<string>,
    opts: { allTrunks?: boolean; signal?: AbortSignal } = {},
  ): Promise<NestedView> {
    const { signal } = opts;
    const parents: Port[] = [];
    if (this.o.workerSubnets.length > 0) {
      for (const ip of new Set(nodeIps)) {
        try {
          parents.push(await findParentPort(this.neutron, this.o.workerSubnets, ip, signal));
        } catch (error) {
          if (!isNotFoundError(error) && !isConflictError(error)) throw error;
          this.log.debug({ err: error, ip }, 'no single VM port for a node IP; skipped');
        }
      }
    }
    const trunkOf = new Map<string, string>();
    for (const p of parents) {
      const t = p.trunk_details;
      for (const s of t?.sub_ports ?? []) if (t) trunkOf.set(s.port_id, t.trunk_id);
    }
    if (opts.allTrunks) {
      for (const t of await this.neutron.trunks.listAll({}, { signal })) {
        for (const s of t.sub_ports) trunkOf.set(s.port_id, t.id);
      }
    }
    return { parents, trunkOf };
  }

  /** The VM ports of `view` that hold one of `port`'s (IP, MAC) pairs. */
  parentsHolding(port: Port, view: NestedView): Port[] {
    const mine = pairsOfPort(port);
    return view.parents.filter((vm) =>
      (vm.allowed_address_pairs ?? []).some((a) => mine.some((m) => samePair(a, m))),
    );
  }

  /** True when `port` hangs on one of the view's nodes (a subport of its trunks or pairs on it). */
  onNodes(port: Port, view: NestedView): boolean {
    return view.trunkOf.has(port.id) || this.parentsHolding(port, view).length > 0;
  }

  /**
   * Detaches `port` from its trunk and removes its pairs from the VM ports of `view`, then deletes it.
   * Idempotent: an already detached subport, a gone trunk / VM port / port are success.
   */
  async release(port: Port, view: NestedView, signal?: AbortSignal): Promise<void> {
    const trunkId = view.trunkOf.get(port.id);
    if (trunkId !== undefined) {
      await this.neutron.trunks.removeSubports(trunkId, [port.id], { signal }).catch(notFoundOk);
      this.log.info({ portId: port.id, trunkId }, 'orphaned subport detached from its trunk');
    }
    const pairs = pairsOfPort(port);
    for (const vm of this.parentsHolding(port, view)) {
      await updateAllowedAddressPairs(
        this.neutron,
        vm.id,
        removePairs(pairs),
        this.o.revUpdateAttempts ?? 3,
        this.log,
        signal,
      ).catch(notFoundOk);
      this.log.info({ portId: port.id, vmPortId: vm.id }, 'orphaned macvlan pair removed');
    }
    await this.neutron.ports.deleteIfExists(port.id, { signal });
  }
}

function notFoundOk(error: unknown): void {
  if (!isNotFoundError(error)) throw error;
}
