/**
 * @module Kuryr's Neutron tag scheme (COMPATIBILITY.md §2): a 64-hex Docker ID does not fit one Neutron tag
 * (max 60 chars), so it is stored as two tags, the lower half `lh` and the upper half `uh`.
 */

/** Lower half of a Docker NetworkID / EndpointID. */
export const TAG_NET_UUID_LH = 'kuryr.net.uuid.lh';
/** Upper half of a Docker NetworkID / EndpointID. */
export const TAG_NET_UUID_UH = 'kuryr.net.uuid.uh';
/** Marks a network that existed before Kuryr adopted it (`kuryr.net.existing:<NetworkID[0:12]>`). */
export const TAG_NET_EXISTING = 'kuryr.net.existing';
/** Marks a user-supplied subnetpool. */
export const TAG_SUBNETPOOL_EXISTING = 'kuryr.subnetpool.existing';
/** Marks a pre-created port Kuryr took over. */
export const TAG_PORT_EXISTING = 'kuryr.port.existing';
/** Port created by Kuryr's IPAM (deleted on ReleaseAddress); also the device_owner of bound ports. */
export const TAG_COMPUTE_KURYR = 'compute:kuryr';
/** Neutron's tag length limit. */
export const TAG_MAX_LENGTH = 60;

const HALF = 32;

/**
 * The tags identifying a Docker ID: `[lh:<id[0:32]>, uh:<id[32:64]>]`; the `uh` tag is omitted when the ID
 * has at most 32 characters (swarm IDs are 25).
 * @example idTags('ab'.repeat(32)) // ['kuryr.net.uuid.lh:abab…', 'kuryr.net.uuid.uh:abab…']
 */
export function idTags(dockerId: string): string[] {
  const tags = [`${TAG_NET_UUID_LH}:${dockerId.slice(0, HALF)}`];
  if (dockerId.length > HALF) tags.push(`${TAG_NET_UUID_UH}:${dockerId.slice(HALF)}`);
  return tags;
}

/** The `kuryr.net.existing:<NetworkID[0:12]>` tag of an adopted network. */
export function existingNetworkTag(networkId: string): string {
  return `${TAG_NET_EXISTING}:${networkId.slice(0, 12)}`;
}

/** Rebuilds the Docker ID from a resource's tags, or undefined when it carries no `lh` tag. */
export function dockerIdFromTags(tags: readonly string[]): string | undefined {
  const lh = tags.find((t) => t.startsWith(`${TAG_NET_UUID_LH}:`));
  if (lh === undefined) return undefined;
  const uh = tags.find((t) => t.startsWith(`${TAG_NET_UUID_UH}:`));
  return lh.slice(TAG_NET_UUID_LH.length + 1) + (uh ? uh.slice(TAG_NET_UUID_UH.length + 1) : '');
}

/** True for the tags Kuryr puts on Docker-side resources (lh/uh halves and existing markers). */
export function isKuryrIdentityTag(tag: string): boolean {
  return (
    tag.startsWith(`${TAG_NET_UUID_LH}:`) ||
    tag.startsWith(`${TAG_NET_UUID_UH}:`) ||
    tag.startsWith(`${TAG_NET_EXISTING}:`)
  );
}
