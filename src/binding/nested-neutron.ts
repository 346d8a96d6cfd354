/**
 * @module Neutron side of nested (pod-in-VM) binding: the container's IP+MAC in the VM port's
 * `allowed_address_pairs` (optimistic concurrency on `revision_number`), and trunk subports with a free
 * segmentation id (never one already used on the trunk).
 */
import { ConflictError, ValidationError } from '../common/errors/index.js';
import type { KeyedMutex } from '../common/keyed-mutex.js';
import {
  addPairs,
  attachWithFreeSegmentationIds,
  casAllowedAddressPairs,
  removePairs,
  type PairsEdit,
} from '../openstack/neutron/nested-cas.js';
import type { AllowedAddressPair } from '../openstack/neutron/types.js';
import type { BindingPort, NestedNeutron } from './types.js';

const ATTEMPTS = 8;
const isConflict = (err: unknown): boolean => err instanceof ConflictError;

/** The allowed address pairs a container port needs on the VM port: each fixed IP with the port MAC. */
export function pairsFor(port: BindingPort): AllowedAddressPair[] {
  return port.fixed_ips.map((f) => ({ ip_address: f.ip_address, mac_address: port.mac_address }));
}

/**
 * Read-modify-write of the VM port's pairs, serialised per VM port in this process (`locks`) and guarded
 * by `If-Match: revision_number` across processes; every write is verified by reading the port again.
 * NOTE: Neutron checks If-Match before its transaction, so concurrent writers across API workers can
 * still both succeed (observed on the test bed); the in-process lock (as kuryr-kubernetes' nested
 * macvlan driver does) and the read-back make lost updates converge instead of vanish. A lost race
 * (the adapter's ConflictError) is retried; still losing after {@link ATTEMPTS} tries is a ConflictError.
 */
async function editPairs(
  neutron: NestedNeutron,
  vmPortId: string,
  edit: PairsEdit,
  locks: KeyedMutex,
  signal?: AbortSignal,
): Promise<void> {
  await locks.run(`vm-port:${vmPortId}`, () =>
    casAllowedAddressPairs(
      {
        read: async (s) => {
          const vm = await neutron.getPort(vmPortId, s);
          return { pairs: vm.allowed_address_pairs ?? [], revision: vm.revision_number };
        },
        write: (pairs, revision, s) => neutron.updatePortPairs(vmPortId, pairs, revision, s),
      },
      edit,
      {
        attempts: ATTEMPTS,
        verify: true,
        isLostRace: isConflict,
        exhausted: (last) =>
          new ConflictError(
            `allowed_address_pairs of VM port ${vmPortId} did not converge after ${ATTEMPTS} attempts`,
            { cause: last },
          ),
        ...(signal ? { signal } : {}),
      },
    ),
  );
}

/** Adds `pairs` to the VM port (idempotent). @throws ConflictError still racing after retries */
export function addAllowedAddressPairs(
  neutron: NestedNeutron,
  vmPortId: string,
  pairs: AllowedAddressPair[],
  locks: KeyedMutex,
  signal?: AbortSignal,
): Promise<void> {
  return editPairs(neutron, vmPortId, addPairs(pairs), locks, signal);
}

/** Removes `pairs` from the VM port (absent = success). */
export function removeAllowedAddressPairs(
  neutron: NestedNeutron,
  vmPortId: string,
  pairs: AllowedAddressPair[],
  locks: KeyedMutex,
  signal?: AbortSignal,
): Promise<void> {
  return editPairs(neutron, vmPortId, removePairs(pairs), locks, signal);
}

/**
 * Makes `portId` a VLAN subport of `trunkId` with the lowest segmentation id not used on the trunk and
 * returns that id; when it is already a subport, returns its id (idempotent).
 * @throws NotReadyError no free id; ConflictError still racing after retries
 */
export async function addSubport(
  neutron: NestedNeutron,
  trunkId: string,
  portId: string,
  signal?: AbortSignal,
): Promise<number> {
  const [id] = await attachWithFreeSegmentationIds(
    {
      read: async (s) => {
        const trunk = await neutron.getTrunk(trunkId, s);
        const mine = trunk.sub_ports.find((sp) => sp.port_id === portId);
        return {
          used: trunk.sub_ports.map((sp) => sp.segmentation_id),
          ...(mine ? { done: [mine.segmentation_id] } : {}),
        };
      },
      // A concurrent allocation taking the id comes back as 409 (ConflictError): read again.
      add: ([segId], s) =>
        neutron.addSubports(
          trunkId,
          [{ port_id: portId, segmentation_type: 'vlan', segmentation_id: segId as number }],
          s,
        ),
    },
    1,
    {
      attempts: ATTEMPTS,
      isLostRace: isConflict,
      exhausted: (last) => last as Error,
      ...(signal ? { signal } : {}),
    },
  );
  return id as number;
}

/** Removes `portId` from the trunk; not a subport (or trunk gone) = success. */
export async function removeSubport(
  neutron: NestedNeutron,
  trunkId: string,
  portId: string,
  signal?: AbortSignal,
): Promise<void> {
  let trunk;
  try {
    trunk = await neutron.getTrunk(trunkId, signal);
  } catch (err) {
    if (err instanceof Error && err.name === 'NotFoundError') return;
    throw err;
  }
  if (!trunk.sub_ports.some((s) => s.port_id === portId)) return;
  await neutron.removeSubports(trunkId, [portId], signal);
}

/** @throws ValidationError unless `id` is a valid 802.1Q VLAN id */
export function assertVlanId(id: number | undefined): number {
  if (id === undefined || !Number.isInteger(id) || id < 1 || id > 4094) {
    throw new ValidationError(`VLAN id must be 1..4094, got ${String(id)}`);
  }
  return id;
}
