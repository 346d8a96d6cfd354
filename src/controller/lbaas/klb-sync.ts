/**
 * @module Converges Octavia (and the floating IP) to one KuryrLoadBalancer by diff against its status:
 * stale listeners/pools/members are removed, missing ones created, unchanged ones untouched; a load
 * balancer that is gone, in ERROR, on another provider or on another IP is released and recreated. The
 * status is saved after every phase, so a crash leaves at most objects the `ensure*` calls find again.
 */
import type { Logger } from 'pino';
import { NotReadyError, isNotFoundError } from '../../common/errors/index.js';
import type { KuryrLoadBalancer } from '../../k8s/crds/types.js';
import { desiredListeners, listenerKey, type TimeoutDefaults } from './desired.js';
import type { MemberSubnets } from './member-subnets.js';
import { syncMembers } from './member-sync.js';
import { loadBalancerName } from './names.js';
import type {
  KlbListener,
  KlbStatus,
  LbaasDriver,
  LoadBalancerRequest,
  PublicIpDriver,
} from './types.js';

/** Settings of the sync (kuryr.conf). */
export interface KlbSyncOptions extends TimeoutDefaults {
  /** `[kubernetes] endpoints_driver_octavia_provider` (`default` = Octavia's default). */
  provider: string;
  /** `[neutron_defaults] service_subnet`, when the spec has none. */
  serviceSubnetId?: string | undefined;
  /** `[neutron_defaults] project`, when the spec has none. */
  projectId?: string | undefined;
  /** `[octavia_defaults] enforce_sg_rules`. */
  enforceSgRules: boolean;
  /** `[octavia_defaults] member_mode` subnets. @default every member on the service subnet (L3) */
  memberSubnets?: MemberSubnets | undefined;
}

/** Saves the status (a JSON patch of `/status`). */
export type SaveStatus = (status: KlbStatus) => Promise<void>;

/** Providers that are all "amphora" for the original's provider-change check. */
const DEFAULT_PROVIDERS = new Set(['', 'default', 'amphora', 'octavia']);

/** The reconciliation of one KuryrLoadBalancer. */
export class KlbSync {
  constructor(
    private readonly lbaas: LbaasDriver,
    private readonly pubIp: PublicIpDriver,
    private readonly opts: KlbSyncOptions,
    private readonly log: Logger,
  ) {}

  /** The load balancer a KLB asks for. */
  request(klb: KuryrLoadBalancer): LoadBalancerRequest {
    const spec = klb.spec;
    const provider = spec.provider ?? this.opts.provider;
    return {
      name: loadBalancerName(klb.metadata?.namespace ?? '', klb.metadata?.name ?? ''),
      projectId: spec.project_id ?? this.opts.projectId ?? '',
      subnetId: spec.subnet_id ?? this.opts.serviceSubnetId ?? '',
      ip: spec.ip ?? '',
      securityGroupIds: this.opts.enforceSgRules ? (spec.security_groups_ids ?? []) : [],
      ...(provider && provider !== 'default' ? { provider } : {}),
    };
  }

  /**
   * Converges and returns the new status (also saved phase by phase through `save`).
   * @throws NotReadyError when the floating IP vanished (retried), driver errors otherwise.
   */
  async sync(klb: KuryrLoadBalancer, save: SaveStatus, signal?: AbortSignal): Promise<KlbStatus> {
    const o = signal ? { signal } : {};
    const st: KlbStatus = structuredClone(klb.status ?? {});
    const req = this.request(klb);
    const spec = klb.spec;

    // 1. A load balancer that cannot be kept: release it (children and VIP port with it).
    if (st.loadbalancer) {
      const reason = await this.brokenReason(st, req, o);
      if (reason) {
        this.log.warn({ lb: st.loadbalancer.id, reason }, 'recreating load balancer');
        await this.lbaas.releaseLoadBalancer(st.loadbalancer, o);
        delete st.loadbalancer;
        st.listeners = [];
        st.pools = [];
        st.members = [];
        await save(st);
      }
    }
    let created = false;
    if (!st.loadbalancer) {
      st.loadbalancer = await this.lbaas.ensureLoadBalancer(req, o);
      created = true;
      await save(st);
    } else if (!sameSet(st.loadbalancer.security_groups ?? [], req.securityGroupIds)) {
      await this.lbaas.updateSecurityGroups(st.loadbalancer, req.securityGroupIds, o);
      st.loadbalancer.security_groups = [...req.securityGroupIds];
    }
    const lb = st.loadbalancer;

    // 2. Listeners (a stale one takes its pool and members with it).
    const { listeners: want, unsupported } = desiredListeners(
      spec,
      await this.lbaas.supportedProtocols(o),
      this.opts,
    );
    if (unsupported.length > 0) {
      this.log.warn({ lb: lb.id, ports: unsupported }, 'Octavia does not support these protocols');
    }
    const wanted = new Map(want.map((w) => [w.key, w]));
    let changed = false;
    for (const l of [...(st.listeners ?? [])]) {
      if (wanted.has(listenerKey(l.protocol, l.port))) continue;
      for (const p of (st.pools ?? []).filter((x) => x.listener_id === l.id)) {
        await this.lbaas.releasePool(lb, p, o);
        st.members = (st.members ?? []).filter((m) => m.pool_id !== p.id);
        st.pools = (st.pools ?? []).filter((x) => x.id !== p.id);
      }
      await this.lbaas.releaseListener(lb, l, o);
      st.listeners = (st.listeners ?? []).filter((x) => x.id !== l.id);
      changed = true;
    }
    for (const w of want) {
      const i = (st.listeners ?? []).findIndex((l) => listenerKey(l.protocol, l.port) === w.key);
      if (i < 0) {
        (st.listeners ??= []).push(await this.lbaas.ensureListener(lb, w, o));
        changed = true;
      } else if (timeoutsDiffer(st.listeners![i]!, w)) {
        st.listeners![i] = await this.lbaas.updateListener(lb, st.listeners![i]!, w, o);
        changed = true;
      }
    }
    if (changed) await save(st);

    // 3. One pool per listener.
    changed = false;
    for (const l of st.listeners ?? []) {
      if ((st.pools ?? []).some((p) => p.listener_id === l.id)) continue;
      (st.pools ??= []).push(await this.lbaas.ensurePool(lb, l, o));
      changed = true;
    }
    if (changed) await save(st);

    // 4. Members by (listener, ip, port).
    changed = await syncMembers(this.lbaas, this.opts.memberSubnets, this.log, klb, st, o);
    if (changed) await save(st);

    // 5. Public IP of LoadBalancer Services.
    await this.syncPublicIp(klb, st, created, save, o);
    return st;
  }

  private async brokenReason(
    st: KlbStatus,
    req: LoadBalancerRequest,
    o: { signal?: AbortSignal },
  ): Promise<string | undefined> {
    const lb = st.loadbalancer!;
    const was = DEFAULT_PROVIDERS.has(lb.provider ?? '');
    const now = DEFAULT_PROVIDERS.has(req.provider ?? '');
    if (was !== now) return `provider ${lb.provider} -> ${req.provider ?? 'default'}`;
    if (lb.ip !== req.ip) return `ip ${lb.ip} -> ${req.ip}`;
    const inv = await this.lbaas.inventory(lb.id, o);
    if (inv === undefined) return 'deleted from Octavia';
    if (inv.provisioningStatus === 'ERROR') return 'provisioning_status ERROR';
    return undefined;
  }

  private async syncPublicIp(
    klb: KuryrLoadBalancer,
    st: KlbStatus,
    lbCreated: boolean,
    save: SaveStatus,
    o: { signal?: AbortSignal },
  ): Promise<void> {
    const wants = klb.spec.type === 'LoadBalancer';
    const lbIp = klb.spec.lb_ip || undefined;
    let info = st.service_pub_ip_info;
    // A changed loadBalancerIP (or none any more) means another floating IP.
    const stale =
      info !== undefined &&
      (!wants || (info.alloc_method === 'user' ? info.ip_addr !== lbIp : lbIp !== undefined));
    if (info && stale) {
      await this.pubIp.release(info, o);
      delete st.service_pub_ip_info;
      info = undefined;
      await save(st);
    }
    if (!wants) return;
    const fresh = info === undefined;
    if (info === undefined) {
      info = await this.pubIp.acquire(
        st.loadbalancer!.project_id || (klb.spec.project_id ?? ''),
        lbIp,
        st.loadbalancer!.port_id,
        o,
      );
      st.service_pub_ip_info = info;
      await save(st); // recorded before associating: the finalizer releases it whatever happens next
    }
    // An allocated one comes associated with the current VIP port; a user's still needs the PUT.
    if (fresh ? info.alloc_method === 'user' : lbCreated) {
      try {
        await this.pubIp.associate(info, st.loadbalancer!.port_id, o);
      } catch (error) {
        if (!isNotFoundError(error)) throw error;
        delete st.service_pub_ip_info;
        await save(st);
        throw new NotReadyError(`floating IP ${info.ip_addr} vanished; allocating another`, {
          cause: error,
        });
      }
      this.log.info({ lb: st.loadbalancer!.id, fip: info.ip_addr }, 'floating IP associated');
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function timeoutsDiffer(
  l: KlbListener,
  w: { timeoutClientData?: number; timeoutMemberData?: number },
): boolean {
  return (
    (l.timeout_client_data ?? 0) !== (w.timeoutClientData ?? 0) ||
    (l.timeout_member_data ?? 0) !== (w.timeoutMemberData ?? 0)
  );
}
