/**
 * @module The object model of the in-memory Octavia (fake-octavia.ts): new objects with Octavia's
 * defaults, the owning load balancer of a child, list filtering and the status tree.
 */
import { randomUUID } from 'node:crypto';
import type { QueryValue } from '../http/types.js';

/** One stored Octavia object (load balancer, listener, pool or member) as the API shows it. */
export type Obj = Record<string, unknown> & { id: string };

/** A new object with Octavia's defaults, `PENDING_CREATE`, overlaid by `input`. */
export function newObject(input: Record<string, unknown>): Obj {
  return {
    description: '',
    tags: [],
    admin_state_up: true,
    operating_status: 'OFFLINE',
    project_id: 'fake-project',
    ...input,
    id: randomUUID(),
    name: input['name'] ?? '',
    provisioning_status: 'PENDING_CREATE',
  };
}

/** The id of the load balancer an object belongs to (an LB is its own). */
export function lbOf(coll: string, obj: Obj): string {
  if (coll === 'loadbalancers') return obj.id;
  return (obj['loadbalancers'] as { id: string }[])[0]?.id ?? '';
}

/** The `GET /loadbalancers/{id}/status` tree of one load balancer. */
export function statusTree(
  lb: Obj,
  listeners: ReadonlyMap<string, Obj>,
  pools: ReadonlyMap<string, Obj>,
  members: ReadonlyMap<string, Obj>,
): Record<string, unknown> {
  const mine = [...pools.values()].filter((p) => lbOf('pools', p) === lb.id);
  const poolTree = (p: Obj) => ({
    id: p.id,
    members: [...members.values()].filter((m) => m['pool_id'] === p.id).map((m) => ({ id: m.id })),
  });
  return {
    id: lb.id,
    provisioning_status: lb['provisioning_status'],
    listeners: [...listeners.values()]
      .filter((l) => lbOf('listeners', l) === lb.id)
      .map((l) => ({
        id: l.id,
        pools: mine.filter((p) => p.id === l['default_pool_id']).map(poolTree),
      })),
    pools: mine.map(poolTree),
  };
}

/** The objects of `store` matching a list query (`loadbalancer_id` looks into `loadbalancers`). */
export function list(store: Map<string, Obj>, query: Record<string, QueryValue>): Obj[] {
  return [...store.values()].filter((o) =>
    Object.entries(query).every(([k, v]) => {
      if (v === undefined || k === 'limit' || k === 'marker' || k === 'fields') return true;
      if (k === 'loadbalancer_id') {
        return (o['loadbalancers'] as { id: string }[] | undefined)?.some(
          (x) => x.id === String(v),
        );
      }
      return String(o[k]) === String(v);
    }),
  );
}
