/**
 * @module Names of the Octavia and Neutron objects kuryr creates for a Service, with the Python Kuryr's
 * formats (COMPATIBILITY.md §6): load balancer `<ns>/<svc>`, listener and its pool `<lb>:<PROTO>:<port>`,
 * member `<target ns>/<target name>:<port>`.
 */

/** `device_owner` of the VIP ports kuryr creates itself (so it deletes only those). */
export const VIP_PORT_OWNER = 'kuryr:lb-vip';

/** Load balancer name of a Service. */
export function loadBalancerName(namespace: string, service: string): string {
  return `${namespace}/${service}`;
}

/** Listener name; the listener's default pool carries the same name. */
export function listenerName(lbName: string, protocol: string, port: number): string {
  return `${lbName}:${protocol}:${port}`;
}

/** Member name. */
export function memberName(targetNamespace: string, targetName: string, port: number): string {
  return `${targetNamespace}/${targetName}:${port}`;
}
