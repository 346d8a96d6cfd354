/**
 * @module Neutron identity of a standalone CNI attachment (ARCHITECTURE.md §2): the container id stored
 * with the Docker lh/uh split (src/common/tags.ts), plus the interface name and the CNI network name, so
 * DEL, CHECK and GC find the port again after any restart without a private store.
 */
import { createHash } from 'node:crypto';
import { idTags, dockerIdFromTags } from '../../common/tags.js';
import type { Attachment } from './types.js';

/** Tag prefix naming the interface of the attachment (`kuryr.cni.ifname:eth0`). */
export const TAG_CNI_IFNAME = 'kuryr.cni.ifname';
/** Tag prefix naming the CNI network (conflist `name`) a port belongs to; GC scopes by it. */
export const TAG_CNI_NETWORK = 'kuryr.cni.net';
/** device_owner of standalone CNI ports (same as Docker's, so operators recognise them). */
export const CNI_DEVICE_OWNER = 'compute:kuryr';

const TAG_MAX = 60;

/** Shortens a value that would not fit a tag: keep a readable head plus a hash of the whole. */
function fit(prefix: string, value: string): string {
  const tag = `${prefix}:${value}`;
  if (tag.length <= TAG_MAX) return tag;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 16);
  return `${prefix}:${value.slice(0, TAG_MAX - prefix.length - 18)}~${hash}`;
}

/**
 * The container id as stored in the lh/uh pair: ids longer than 64 characters (never seen from runtimes)
 * are replaced by their sha256 so both halves fit a tag.
 */
export function storedContainerId(containerId: string): string {
  return containerId.length <= 64
    ? containerId
    : createHash('sha256').update(containerId).digest('hex');
}

/** The network-scope tag of a CNI network name. */
export function networkTag(networkName: string): string {
  return fit(TAG_CNI_NETWORK, networkName);
}

/** Every tag identifying the attachment (containerId, ifName) on network `networkName`. */
export function attachmentTags(networkName: string, a: Attachment): string[] {
  return [
    ...idTags(storedContainerId(a.containerId)),
    fit(TAG_CNI_IFNAME, a.ifName),
    networkTag(networkName),
  ];
}

/** The attachment a port's tags describe, or undefined when they are not a CNI attachment's. */
export function attachmentFromTags(tags: readonly string[]): Attachment | undefined {
  const containerId = dockerIdFromTags(tags);
  const ifTag = tags.find((t) => t.startsWith(`${TAG_CNI_IFNAME}:`));
  if (containerId === undefined || ifTag === undefined) return undefined;
  return { containerId, ifName: ifTag.slice(TAG_CNI_IFNAME.length + 1) };
}

/** Key of an attachment in caches and locks. */
export function attachmentKey(a: Attachment): string {
  return `${a.containerId}/${a.ifName}`;
}
