/**
 * @module The few Pod fields the VIF handlers read (typed views over the generic KubeObject), and the
 * VifRequest they build for the drivers.
 */
import type { KubeObject } from '../../k8s/object.js';
import type { PodRef, VifRequest } from '../drivers/pod-vif/types.js';
import type { ProjectDriver } from '../drivers/project/types.js';
import type { SecurityGroupsDriver } from '../drivers/security-groups/types.js';
import type { SubnetsDriver } from '../drivers/subnets/types.js';

/** `spec.hostNetwork`. */
export function isHostNetwork(pod: KubeObject): boolean {
  return (pod['spec'] as { hostNetwork?: boolean } | undefined)?.hostNetwork === true;
}

/** `spec.nodeName` ('' while unscheduled). */
export function nodeNameOf(pod: KubeObject): string {
  return (pod['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '';
}

/** `status.hostIP` (the node VM's IP, used by the nested drivers). */
export function hostIpOf(pod: KubeObject): string | undefined {
  return (pod['status'] as { hostIP?: string } | undefined)?.hostIP;
}

/** The drivers that resolve a pod's project, subnets and security groups. */
export interface PodNetworkDrivers {
  project: ProjectDriver;
  subnets: SubnetsDriver;
  securityGroups: SecurityGroupsDriver;
}

/** Builds the VIF request of `pod` through the configured drivers. */
export async function buildVifRequest(
  drivers: PodNetworkDrivers,
  pod: PodRef,
  labels: Readonly<Record<string, string>> | undefined,
  signal?: AbortSignal,
): Promise<VifRequest> {
  const [projectId, subnets, securityGroups] = await Promise.all([
    drivers.project.getProjectId({ namespace: pod.namespace }, { signal }),
    drivers.subnets.getSubnets({ namespace: pod.namespace }, { signal }),
    drivers.securityGroups.getSecurityGroups(
      { namespace: pod.namespace, name: pod.name, ...(labels ? { labels } : {}) },
      { signal },
    ),
  ]);
  return { pod, projectId, subnets, securityGroups };
}
