/**
 * @module Pool identity: (node, project, subnets, sorted SG set). The "base" key leaves the SGs out: all
 * pools of one base share a lock, because a request may take a port from a sibling pool with other SGs.
 */
import type { VifRequest } from '../pod-vif/types.js';

/** The parts of a pool key. */
export interface PoolKeyParts {
  node: string;
  projectId: string;
  subnetIds: string[];
  securityGroups: string[];
}

/** Normalised key parts of a request (sorted, de-duplicated). */
export function keyParts(req: VifRequest): PoolKeyParts {
  return normalise({
    node: req.pod.nodeName,
    projectId: req.projectId,
    subnetIds: req.subnets.map((s) => s.subnet.id),
    securityGroups: [...req.securityGroups],
  });
}

/** Sorts and de-duplicates the list parts. */
export function normalise(p: PoolKeyParts): PoolKeyParts {
  const sorted = (a: string[]) => [...new Set(a)].sort();
  return { ...p, subnetIds: sorted(p.subnetIds), securityGroups: sorted(p.securityGroups) };
}

/** Key without the SGs (lock scope). */
export function baseKey(p: PoolKeyParts): string {
  return JSON.stringify([p.node, p.projectId, p.subnetIds]);
}

/** Full pool key. */
export function poolKey(p: PoolKeyParts): string {
  return JSON.stringify([p.node, p.projectId, p.subnetIds, p.securityGroups]);
}
