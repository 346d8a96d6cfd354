/**
 * @module The Octavia objects a KuryrLoadBalancer spec asks for, computed without I/O: one listener per
 * (protocol, port) of `spec.ports`, and one member per ready endpoint address for every endpoint port whose
 * name (and protocol) matches a Service port — the endpoint port number is the member port (targetPort).
 */
import type { KuryrLoadBalancer } from '../../k8s/crds/types.js';
import { memberName } from './names.js';

/** Key of a listener (and its pool). */
export const listenerKey = (protocol: string, port: number): string => `${protocol}:${port}`;

/** One wanted listener. */
export interface DesiredListener {
  key: string;
  protocol: string;
  port: number;
  timeoutClientData?: number;
  timeoutMemberData?: number;
}

/** One wanted member of the pool of listener `listenerKey`. */
export interface DesiredMember {
  listenerKey: string;
  ip: string;
  port: number;
  name: string;
  /** Namespace of the endpoint's pod (the Service's without a targetRef): where its subnet is. */
  namespace: string;
}

/** `[octavia_defaults]` timeouts (0 = Octavia's default). */
export interface TimeoutDefaults {
  timeoutClientData: number;
  timeoutMemberData: number;
}

/** Key of a member inside the whole load balancer. */
export const memberKey = (listener: string, ip: string, port: number): string =>
  `${listener}|${ip}|${port}`;

/**
 * Listeners of `spec.ports`; ports whose protocol Octavia cannot serve are returned in `unsupported`.
 * Timeouts: the spec's (from the Service annotations), else kuryr.conf's, else none.
 */
export function desiredListeners(
  spec: KuryrLoadBalancer['spec'],
  supported: ReadonlySet<string>,
  defaults: TimeoutDefaults,
): { listeners: DesiredListener[]; unsupported: string[] } {
  const listeners = new Map<string, DesiredListener>();
  const unsupported: string[] = [];
  const cli = spec.timeout_client_data || defaults.timeoutClientData;
  const mem = spec.timeout_member_data || defaults.timeoutMemberData;
  for (const p of spec.ports ?? []) {
    const protocol = (p.protocol || 'TCP').toUpperCase();
    if (!supported.has(protocol)) {
      unsupported.push(`${protocol}/${p.port}`);
      continue;
    }
    const key = listenerKey(protocol, p.port);
    listeners.set(key, {
      key,
      protocol,
      port: p.port,
      ...(cli ? { timeoutClientData: cli } : {}),
      ...(mem ? { timeoutMemberData: mem } : {}),
    });
  }
  return { listeners: [...listeners.values()], unsupported };
}

/**
 * Members: for each Service port, the endpoint ports with the same name and protocol; each ready
 * (`conditions.ready` not false) address becomes a member named `<target ns>/<target name>:<port>`.
 */
export function desiredMembers(klb: KuryrLoadBalancer): DesiredMember[] {
  const ns = klb.metadata?.namespace ?? '';
  const out = new Map<string, DesiredMember>();
  for (const p of klb.spec.ports ?? []) {
    const protocol = (p.protocol || 'TCP').toUpperCase();
    const lk = listenerKey(protocol, p.port);
    for (const slice of klb.spec.endpointSlices ?? []) {
      for (const sp of slice.ports ?? []) {
        if ((sp.name ?? '') !== (p.name ?? '')) continue;
        if ((sp.protocol || 'TCP').toUpperCase() !== protocol || sp.port === undefined) continue;
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false) continue;
          for (const ip of ep.addresses ?? []) {
            const namespace = ep.targetRef?.namespace ?? ns;
            const name = memberName(namespace, ep.targetRef?.name ?? ip, sp.port);
            const m = { listenerKey: lk, ip, port: sp.port, name, namespace };
            out.set(memberKey(lk, ip, sp.port), m);
          }
        }
      }
    }
  }
  return [...out.values()];
}

/** True when the spec has at least one endpoint address (the original waits for them). */
export function hasEndpoints(klb: KuryrLoadBalancer): boolean {
  return (klb.spec.endpointSlices ?? []).some((s) =>
    (s.endpoints ?? []).some((e) => (e.addresses ?? []).length > 0),
  );
}
