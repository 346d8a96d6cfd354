/**
 * @module Neutron side of nested (pod-in-VM) binding: the container's IP+MAC in the VM port's
 * `allowed_address_pairs` (optimistic concurrency on `revision_number`), and trunk subports with a free
 * segmentation id (never one already used on the trunk).
 */
import { ConflictError, NotReadyError, ValidationError } from '../common/errors/index.js';
import type { KeyedMutex } from '../common/keyed-mutex.js';
import type { AllowedAddressPair } from '../openstack/neutron/types.js';
import type { BindingPort, NestedNeutron } from './types.js';

const ATTEMPTS = 8;
const sameIp = (a: AllowedAddressPair, b: AllowedAddressPair): boolean =>
  a.ip_address === b.ip_address && (a.mac_address ?? '') === (b.mac_address ?? '');

async function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const ms = Math.min(50 * 2 ** attempt, 1000) * (0.5 + Math.random() / 2);
  await new Promise((r) => setTimeout(r, ms));
}

/** The allowed address pairs a container port needs on the VM port: each fixed IP with the port MAC. */
export function pairsFor(port: BindingPort): AllowedAddressPair[] {
  return port.fixed_ips.map((f) => ({ ip_address: f.ip_address, mac_address: port.mac_address }));
}

/**
 * Read-modify-write of the VM port's pairs, serialised per VM port in this process (`locks`) and guarded
 * by `If-Match: revision_number` across processes; every write is verified by reading the port again.
 * NOTE: Neutron checks If-Match before its transaction, so concurrent writers across API workers can
 * still both succeed (observed on the test bed); the in-process lock (as kuryr-kubernetes' nested
 * macvlan driver does) and the read-back make lost updates converge instead of vanish.
 */
async function editPairs(
  neutron: NestedNeutron,
  vmPortId: string,
  edit: (current: AllowedAddressPair[]) => AllowedAddressPair[] | undefined,
  locks: KeyedMutex,
  signal?: AbortSignal,
): Promise<void> {
  await locks.run(`vm-port:${vmPortId}`, async () => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const vm = await neutron.getPort(vmPortId, signal);
      const next = edit(vm.allowed_address_pairs ?? []);
      if (next === undefined) return; // as wanted (also the verification after a write)
      try {
        await neutron.updatePortPairs(vmPortId, next, vm.revision_number, signal);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        await backoff(attempt, signal);
      }
    }
    throw new ConflictError(
      `allowed_address_pairs of VM port ${vmPortId} did not converge after ${ATTEMPTS} attempts`,
    );
  });
}

/** Adds `pairs` to the VM port (idempotent). @throws ConflictError still racing after retries */
export function addAllowedAddressPairs(
  neutron: NestedNeutron,
  vmPortId: string,
  pairs: AllowedAddressPair[],
  locks: KeyedMutex,
  signal?: AbortSignal,
): Promise<void> {
  return editPairs(
    neutron,
    vmPortId,
    (cur) => {
      const missing = pairs.filter((p) => !cur.some((c) => sameIp(c, p)));
      return missing.length === 0 ? undefined : [...cur, ...missing];
    },
    locks,
    signal,
  );
}

/** Removes `pairs` from the VM port (absent = success). */
export function removeAllowedAddressPairs(
  neutron: NestedNeutron,
  vmPortId: string,
  pairs: AllowedAddressPair[],
  locks: KeyedMutex,
  signal?: AbortSignal,
): Promise<void> {
  return editPairs(
    neutron,
    vmPortId,
    (cur) => {
      const kept = cur.filter((c) => !pairs.some((p) => sameIp(c, p)));
      return kept.length === cur.length ? undefined : kept;
    },
    locks,
    signal,
  );
}

/**
 * Makes `portId` a VLAN subport of `trunkId` with the lowest segmentation id not used on the trunk and
 * returns that id; when it is already a subport, returns its id (idempotent).
 * @throws NotReadyError no free id / still racing after retries
 */
export async function addSubport(
  neutron: NestedNeutron,
  trunkId: string,
  portId: string,
  signal?: AbortSignal,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const trunk = await neutron.getTrunk(trunkId, signal);
    const mine = trunk.sub_ports.find((s) => s.port_id === portId);
    if (mine !== undefined) return mine.segmentation_id;
    const used = new Set(trunk.sub_ports.map((s) => s.segmentation_id));
    let id = 1;
    while (used.has(id) && id <= 4094) id++;
    if (id > 4094) throw new NotReadyError(`trunk ${trunkId} has no free VLAN id`);
    try {
      await neutron.addSubports(
        trunkId,
        [{ port_id: portId, segmentation_type: 'vlan', segmentation_id: id }],
        signal,
      );
      return id;
    } catch (err) {
      // A concurrent allocation took the id (Neutron answers 409): read the trunk again.
      if (!(err instanceof ConflictError) || attempt + 1 >= ATTEMPTS) throw err;
      await backoff(attempt, signal);
    }
  }
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
