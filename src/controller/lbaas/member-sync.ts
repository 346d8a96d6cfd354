/**
 * @module The member phase of a KuryrLoadBalancer sync: members are matched by (listener, address,
 * port) AND subnet, so a member whose subnet is no longer the one `member_mode` asks for (the mode was
 * changed, or the pod network moved) is deleted and created again on the right subnet; unchanged
 * members are not touched. (The Python Kuryr compared address and port only: after a mode change its
 * members stayed on the old subnet until the pods were replaced.)
 */
import type { Logger } from 'pino';
import type { KuryrLoadBalancer } from '../../k8s/crds/types.js';
import { desiredMembers, listenerKey, memberKey } from './desired.js';
import { memberTargetKey, type MemberSubnets } from './member-subnets.js';
import type { KlbPool, KlbStatus, LbaasCallOptions, LbaasDriver, MemberRequest } from './types.js';

/** Converges the members of `st` (mutated in place) to the spec; true when anything changed. */
export async function syncMembers(
  lbaas: LbaasDriver,
  subnets: MemberSubnets | undefined,
  log: Logger,
  klb: KuryrLoadBalancer,
  st: KlbStatus,
  o: LbaasCallOptions,
): Promise<boolean> {
  const lb = st.loadbalancer!;
  const keyOfPool = new Map<string, string>();
  for (const p of st.pools ?? []) {
    const l = (st.listeners ?? []).find((x) => x.id === p.listener_id);
    if (l) keyOfPool.set(p.id, listenerKey(l.protocol, l.port));
  }
  const desired = desiredMembers(klb);
  // One lookup for the whole load balancer (not one per member): L3 needs none at all.
  const subnetOf = subnets
    ? await subnets.resolve(desired, lb.subnet_id, o)
    : new Map(desired.map((m) => [memberTargetKey(m), lb.subnet_id]));
  const want = new Map(
    desired.map((m) => [
      memberKey(m.listenerKey, m.ip, m.port),
      { ...m, subnetId: subnetOf.get(memberTargetKey(m)) ?? lb.subnet_id },
    ]),
  );
  let changed = false;
  for (const m of [...(st.members ?? [])]) {
    const lk = keyOfPool.get(m.pool_id);
    const w = lk === undefined ? undefined : want.get(memberKey(lk, m.ip, m.port));
    if (w !== undefined && w.subnetId === m.subnet_id) continue;
    if (w !== undefined) {
      log.info(
        { lb: lb.id, member: m.name, from: m.subnet_id, to: w.subnetId },
        'member subnet changed; replacing the member',
      );
    }
    await lbaas.releaseMember(lb, m, o);
    st.members = (st.members ?? []).filter((x) => x.id !== m.id);
    changed = true;
  }
  const have = new Set(
    (st.members ?? []).map((m) => memberKey(keyOfPool.get(m.pool_id) ?? '', m.ip, m.port)),
  );
  const missing = new Map<KlbPool, MemberRequest[]>();
  for (const [key, m] of want) {
    if (have.has(key)) continue;
    const pool = (st.pools ?? []).find((p) => keyOfPool.get(p.id) === m.listenerKey);
    if (pool === undefined) continue; // protocol Octavia cannot serve
    const req = { ip: m.ip, port: m.port, name: m.name, subnetId: m.subnetId };
    missing.set(pool, [...(missing.get(pool) ?? []), req]);
  }
  for (const [pool, reqs] of missing) {
    // A pool without members is filled in one transition; otherwise the existing members stay
    // untouched and only the new ones are added.
    const empty = !(st.members ?? []).some((m) => m.pool_id === pool.id);
    if (empty) (st.members ??= []).push(...(await lbaas.ensureMembers(lb, pool, reqs, o)));
    else {
      for (const req of reqs) (st.members ??= []).push(await lbaas.ensureMember(lb, pool, req, o));
    }
    changed = true;
  }
  return changed;
}
