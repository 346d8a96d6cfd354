/**
 * @module Choice of a free VLAN segmentation id on a trunk: never one its subports already use.
 * Random among the free ids (like the Python driver) so concurrent controllers rarely collide; a
 * collision is then a 409 that the caller retries with a fresh read.
 */
import { NotReadyError } from '../../../common/errors/index.js';

/** Lowest and highest usable VLAN id. */
export const VLAN_MIN = 1;
export const VLAN_MAX = 4094;

/**
 * Picks `count` distinct ids in 1..4094 not in `used`.
 * @param random source in [0, 1) (inject for deterministic tests)
 * @throws NotReadyError when fewer than `count` ids are free (the trunk is full until pods go away).
 */
export function chooseSegmentationIds(
  used: Iterable<number>,
  count = 1,
  random: () => number = Math.random,
): number[] {
  const taken = new Set(used);
  const free: number[] = [];
  for (let id = VLAN_MIN; id <= VLAN_MAX; id++) if (!taken.has(id)) free.push(id);
  if (free.length < count) {
    throw new NotReadyError(
      `trunk has only ${free.length} free VLAN ids, ${count} needed: release pods on this node`,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (free.length - i));
    const a = free[i] as number;
    const b = free[j] as number;
    free[i] = b;
    free[j] = a;
    out.push(b);
  }
  return out;
}
