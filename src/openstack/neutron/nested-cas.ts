/**
 * @module Optimistic edits of the worker VM's shared Neutron objects, used by every nested pod path:
 * the VM port's `allowed_address_pairs` (compare-and-set on `If-Match: revision_number`) and the VM
 * trunk's subports (a free VLAN segmentation id; a collision comes back as 409). One implementation
 * serves the CNI-side binding (src/binding/nested-neutron.ts) and the controller's pod VIF drivers
 * (src/controller/drivers/pod-vif/); they differ only in how a lost race looks to them and what they
 * raise when every attempt lost (binding: ConflictError; controller: NotReadyError, so the pipeline
 * requeues), so both are parameters.
 */
import { NotReadyError } from '../../common/errors/index.js';
import type { AllowedAddressPair } from './types.js';

/** How a caller retries a read-decide-write step that can lose a race. */
export interface LostRaceRetry {
  /** Total tries (≥ 1). */
  attempts: number;
  /** True for the error a lost race produces (412 PreconditionFailed, 409 Conflict, …). */
  isLostRace(error: unknown): boolean;
  /** The error to raise when every attempt lost; gets the last lost-race error. */
  exhausted(last: unknown): Error;
  /** Called before each retry (logging). */
  onRetry?(attempt: number, error: unknown): void;
  signal?: AbortSignal;
  /** Base of the jittered exponential pause between tries, ms (0 = none). @default 50 */
  backoffMs?: number;
}

async function pause(attempt: number, baseMs: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (baseMs <= 0) return;
  // jitter: two racers that collided once should not collide again on the next try
  const ms = Math.min(baseMs * 2 ** (attempt - 1), 1000) * (0.5 + Math.random() / 2);
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs `step` until it succeeds or throws something other than a lost race, at most `attempts` times.
 * @throws `o.exhausted(last)` when every attempt lost; any other error of `step` as is
 */
export async function retryLostRace<T>(step: () => Promise<T>, o: LostRaceRetry): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= Math.max(1, o.attempts); attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!o.isLostRace(error)) throw error;
      last = error;
      if (attempt >= o.attempts) break;
      o.onRetry?.(attempt, error);
      await pause(attempt, o.backoffMs ?? 50, o.signal);
    }
  }
  throw o.exhausted(last);
}

/** Read and revision-guarded write of one port's pairs. */
export interface PairsAccess {
  read(signal?: AbortSignal): Promise<{ pairs: AllowedAddressPair[]; revision: number }>;
  /** Must send `revision` as `If-Match` and fail with an error `isLostRace` recognises on 412. */
  write(pairs: AllowedAddressPair[], revision: number, signal?: AbortSignal): Promise<void>;
}

/** A pure edit of the pair list; undefined when nothing has to change. */
export type PairsEdit = (current: AllowedAddressPair[]) => AllowedAddressPair[] | undefined;

/** Marks a write whose read-back does not show the edit yet (counts as a lost race). */
class UnverifiedWrite extends Error {}

/**
 * Compare-and-set of the pairs: read, apply `edit`, write guarded by the revision read. With `verify`,
 * a successful write is read back and must show the edit (Neutron checks If-Match before its
 * transaction, so two API workers can both accept concurrent writes: the read-back turns such a lost
 * update into another try instead of a silent loss).
 * @returns true when a write was made, false when `edit` found nothing to do
 */
export async function casAllowedAddressPairs(
  access: PairsAccess,
  edit: PairsEdit,
  o: LostRaceRetry & { verify?: boolean },
): Promise<boolean> {
  let wrote = false;
  return retryLostRace(
    async () => {
      const { pairs, revision } = await access.read(o.signal);
      const next = edit(pairs);
      if (next === undefined) return wrote;
      await access.write(next, revision, o.signal);
      wrote = true;
      if (!o.verify) return true;
      const again = await access.read(o.signal);
      if (edit(again.pairs) !== undefined) throw new UnverifiedWrite('pairs write lost');
      return true;
    },
    { ...o, isLostRace: (e) => e instanceof UnverifiedWrite || o.isLostRace(e) },
  );
}

/** Same pair: same IP and (case-insensitively) the same MAC. */
export function samePair(a: AllowedAddressPair, b: AllowedAddressPair): boolean {
  return (
    a.ip_address === b.ip_address &&
    (a.mac_address ?? '').toLowerCase() === (b.mac_address ?? '').toLowerCase()
  );
}

/** Edit adding `pairs` (no duplicates). */
export function addPairs(pairs: readonly AllowedAddressPair[]): PairsEdit {
  return (current) => {
    const missing = pairs.filter((p) => !current.some((c) => samePair(c, p)));
    return missing.length === 0 ? undefined : [...current, ...missing];
  };
}

/** Edit removing `pairs` (IP and MAC must match). */
export function removePairs(pairs: readonly AllowedAddressPair[]): PairsEdit {
  return (current) => {
    const kept = current.filter((c) => !pairs.some((p) => samePair(c, p)));
    return kept.length === current.length ? undefined : kept;
  };
}

/** Edit removing every pair with one of `ips`, whatever its MAC. */
export function removePairsByIp(ips: readonly string[]): PairsEdit {
  return (current) => {
    const kept = current.filter((c) => !ips.includes(c.ip_address));
    return kept.length === current.length ? undefined : kept;
  };
}

/** Lowest and highest usable VLAN id. */
export const VLAN_MIN = 1;
export const VLAN_MAX = 4094;

/**
 * `count` distinct VLAN ids in 1..4094 not in `used`: the lowest ones, or random ones with `random`
 * (concurrent controllers then rarely collide).
 * @throws NotReadyError when fewer than `count` ids are free (the trunk is full until pods go away)
 */
export function freeSegmentationIds(
  used: Iterable<number>,
  count = 1,
  random?: () => number,
): number[] {
  const taken = new Set(used);
  const free: number[] = [];
  for (let id = VLAN_MIN; id <= VLAN_MAX; id++) if (!taken.has(id)) free.push(id);
  if (free.length < count) {
    throw new NotReadyError(
      `trunk has only ${free.length} free VLAN ids, ${count} needed: release pods on this node`,
    );
  }
  if (random === undefined) return free.slice(0, count);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (free.length - i));
    [free[i], free[j]] = [free[j] as number, free[i] as number];
  }
  return free.slice(0, count);
}

/** Read of the trunk's used ids and the add of new subports. */
export interface SubportsAccess {
  /** Used ids; `done` when the wanted ports are already subports (idempotent callers). */
  read(signal?: AbortSignal): Promise<{ used: number[]; done?: number[] }>;
  add(ids: number[], signal?: AbortSignal): Promise<void>;
}

/**
 * Attaches `count` subports with free segmentation ids, re-reading the trunk after a lost race.
 * @returns the ids used
 */
export function attachWithFreeSegmentationIds(
  access: SubportsAccess,
  count: number,
  o: LostRaceRetry & { random?: () => number },
): Promise<number[]> {
  return retryLostRace(async () => {
    const { used, done } = await access.read(o.signal);
    if (done !== undefined) return done;
    const ids = freeSegmentationIds(used, count, o.random);
    await access.add(ids, o.signal);
    return ids;
  }, o);
}
