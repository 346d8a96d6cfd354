/**
 * @module The Neutron subnet of each pool member (`[octavia_defaults] member_mode`). L3 (the default):
 * every member on the service subnet, Octavia routes to the pod address. L2: the subnet the endpoint
 * address belongs to, so the amphora gets an interface on the pod network — found, as the Python Kuryr
 * does, by matching the address against the pod subnets of the endpoint's namespace (the pod subnets
 * driver: `[neutron_defaults] pod_subnet`, or the namespace's KuryrNetwork subnet) and then against
 * `[pod_vif_nested] worker_nodes_subnets` (host-network pods).
 *
 * WHY matching instead of reading each pod's KuryrPort: one subnets-driver call per namespace per sync
 * (the subnets themselves are cached for good) instead of one Kubernetes read per member; the original
 * looked each pod up by IP, one API list per member.
 */
import type { Logger } from 'pino';
import { isNotFoundError, isNotReadyError } from '../../common/errors/index.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import { SubnetCache } from '../drivers/subnets/subnet-cache.js';
import { cidrContains } from '../policy/cidr-set.js';
import type { SubnetsDriver } from '../drivers/subnets/types.js';
import type { LbaasCallOptions } from './types.js';

/** `[octavia_defaults] member_mode`. */
export type MemberMode = 'L2' | 'L3';

/** One member whose subnet is wanted. */
export interface MemberTarget {
  ip: string;
  /** Namespace of the endpoint's pod (the Service's when the endpoint has no targetRef). */
  namespace: string;
}

/** Settings of {@link MemberSubnets}. */
export interface MemberSubnetsOptions {
  mode: MemberMode;
  /** The pod subnets driver (`[kubernetes] pod_subnets_driver`); needed in L2 mode. */
  podSubnets?: SubnetsDriver | undefined;
  /** `[pod_vif_nested] worker_nodes_subnets`: tried after the pod subnets (host-network pods). */
  workerNodesSubnets?: readonly string[] | undefined;
  /** Reads the worker nodes subnets (once each). */
  neutron?: NeutronClient | undefined;
}

interface Known {
  id: string;
  cidr: string;
}

/** Key of a target in {@link MemberSubnets.resolve}'s answer. */
export const memberTargetKey = (t: MemberTarget): string => `${t.namespace}|${t.ip}`;

/** Resolves member subnets for one sync at a time. */
export class MemberSubnets {
  private readonly workers: SubnetCache | undefined;

  constructor(
    private readonly opts: MemberSubnetsOptions,
    private readonly log: Logger,
  ) {
    this.workers = opts.neutron ? new SubnetCache(opts.neutron) : undefined;
  }

  get mode(): MemberMode {
    return this.opts.mode;
  }

  /**
   * The subnet of every target (by {@link memberTargetKey}). An L2 address inside none of the known
   * subnets gets the service subnet, with one warning per call listing those addresses.
   * @throws what the subnets driver throws, except NotReady/NotFound (= no subnet known there).
   */
  async resolve(
    targets: readonly MemberTarget[],
    serviceSubnetId: string,
    o: LbaasCallOptions = {},
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (this.opts.mode === 'L3' || targets.length === 0) {
      for (const t of targets) out.set(memberTargetKey(t), serviceSubnetId);
      return out;
    }
    const namespaces = [...new Set(targets.map((t) => t.namespace))];
    const [perNs, workers] = await Promise.all([
      Promise.all(namespaces.map((ns) => this.podSubnetsOf(ns, o))),
      this.workerSubnets(o),
    ]);
    const byNs = new Map(namespaces.map((ns, i) => [ns, perNs[i]!]));
    const unknown: string[] = [];
    for (const t of targets) {
      const known = [...(byNs.get(t.namespace) ?? []), ...workers];
      const hit = known.find((k) => inside(k.cidr, t.ip));
      if (hit === undefined) unknown.push(t.ip);
      out.set(memberTargetKey(t), hit?.id ?? serviceSubnetId);
    }
    if (unknown.length > 0) {
      this.log.warn(
        { addresses: unknown, subnet: serviceSubnetId },
        'member_mode L2: endpoint addresses in no known pod or worker subnet; using the service subnet',
      );
    }
    return out;
  }

  private async podSubnetsOf(namespace: string, o: LbaasCallOptions): Promise<Known[]> {
    if (this.opts.podSubnets === undefined) return [];
    try {
      const got = await this.opts.podSubnets.getSubnets({ namespace }, o);
      return got.map(({ subnet }) => ({ id: subnet.id, cidr: subnet.cidr }));
    } catch (error) {
      // A namespace without a network (yet) has no pod subnet to match: not an error here.
      if (isNotReadyError(error) || isNotFoundError(error)) return [];
      throw error;
    }
  }

  private async workerSubnets(o: LbaasCallOptions): Promise<Known[]> {
    const ids = this.opts.workerNodesSubnets ?? [];
    if (this.workers === undefined || ids.length === 0) return [];
    const got = await Promise.all(ids.map((id) => this.workers!.get(id, o.signal)));
    return got.map(({ subnet }) => ({ id: subnet.id, cidr: subnet.cidr }));
  }
}

/** True when `ip` is inside `cidr`; an address that is no IP is inside nothing. */
function inside(cidr: string, ip: string): boolean {
  try {
    return cidrContains(cidr, ip);
  } catch {
    return false;
  }
}
