/**
 * @module `neutron-vif`: one Neutron port per pod, bound to the pod's node by `binding:host_id`
 * (device_owner `compute:kuryr`, device_id = pod UID) and plugged on the host by an L2 agent.
 * Several pods' ports can be created in one bulk request (`requestVifsFor`, used by the request
 * batcher), and concurrent ACTIVE checks are answered by one port listing per batch.
 */
import type { Logger } from 'pino';
import { NotFoundError, NotReadyError, ValidationError } from '../../../common/errors/index.js';
import type { Vif } from '../../../models/vif.js';
import type { NeutronClient, Port } from '../../../openstack/neutron/index.js';
import type { DriverDeps } from '../deps.js';
import { RequestBatcher } from '../vif-pool/request-batcher.js';
import { createPortsTagged, podPortBody } from './port-request.js';
import type { CallOptions, PodRef, PodVifDriver, PodSubnet, VifRequest } from './types.js';
import { vifFromBoundPort } from './vif-from-port.js';

/** Options of {@link NeutronPodVifDriver}. */
export interface NeutronPodVifOptions {
  /** `[kubernetes] port_debug`. @default false */
  portDebug?: boolean;
  /** `[neutron_defaults] resource_tags`. @default [] */
  resourceTags?: readonly string[];
  /** `[neutron_defaults] ovs_bridge`. @default 'br-int' */
  ovsBridge?: string;
  /** How long an ACTIVE check waits for others to share one port listing. @default 50 */
  statusWindowMs?: number;
}

/** Port ids per status listing: keeps the query string of `GET /v2.0/ports?id=…` a few KB. */
const STATUS_BATCH = 100;

/** The `neutron-vif` Pod VIF driver. */
export class NeutronPodVifDriver implements PodVifDriver {
  readonly alias = 'neutron-vif';
  private readonly portDebug: boolean;
  private readonly tags: readonly string[];
  private readonly ovsBridge: string;
  /** Port id → status (undefined: gone), one `GET /v2.0/ports?id=…&fields=status` per batch. */
  private readonly status: RequestBatcher<string, string | undefined>;

  constructor(
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    o: NeutronPodVifOptions = {},
  ) {
    this.portDebug = o.portDebug ?? false;
    this.tags = o.resourceTags ?? [];
    this.ovsBridge = o.ovsBridge ?? 'br-int';
    this.status = new RequestBatcher({
      keyOf: () => 'status',
      run: async (ids) => {
        const ports = await this.neutron.ports.listAll({
          id: [...new Set(ids)],
          fields: ['id', 'status'],
        });
        const byId = new Map(ports.map((p) => [p.id, p.status]));
        return ids.map((id) => byId.get(id));
      },
      windowMs: o.statusWindowMs ?? 50,
      maxBatch: STATUS_BATCH,
      log,
    });
  }

  /** Builds the driver from kuryr.conf. */
  static fromDeps(d: DriverDeps): NeutronPodVifDriver {
    return new NeutronPodVifDriver(d.neutron, d.log, {
      portDebug: d.config.kubernetes.portDebug,
      resourceTags: d.config.neutronDefaults.resourceTags,
      ovsBridge: d.config.neutronDefaults.ovsBridge ?? 'br-int',
    });
  }

  /** One port for the pod. @throws NotReadyError when the port came back unbound (it is deleted). */
  async requestVif(req: VifRequest, opts: CallOptions = {}): Promise<Vif> {
    checkRequest(req);
    checkNode(req);
    const body = podPortBody(req, {
      portDebug: this.portDebug,
      pooled: false,
      hostId: req.pod.nodeName,
    });
    const [port] = await createPortsTagged(this.neutron, [body], this.tags, this.log, opts.signal);
    return this.toVifOrDelete(port as Port, req.subnets);
  }

  /** `count` pool ports bound to `req.pod.nodeName`, created in one bulk request. */
  async requestVifs(req: VifRequest, count: number, opts: CallOptions = {}): Promise<Vif[]> {
    checkRequest(req);
    checkNode(req);
    if (!Number.isInteger(count) || count < 0) {
      throw new ValidationError(`requestVifs: count must be a non-negative integer, got ${count}`);
    }
    const body = podPortBody(req, {
      portDebug: this.portDebug,
      pooled: true,
      hostId: req.pod.nodeName,
    });
    const bodies = Array.from({ length: count }, () => body);
    const ports = await createPortsTagged(this.neutron, bodies, this.tags, this.log, opts.signal);
    try {
      return ports.map((p) => vifFromBoundPort(p, req.subnets, this.ovsBridge));
    } catch (error) {
      await Promise.all(
        ports.map((p) => this.neutron.ports.deleteIfExists(p.id).catch(() => false)),
      );
      throw error;
    }
  }

  /**
   * One port per request (each with its own pod's device_id and name), all in ONE bulk request: the
   * request batcher's bulk call. All or nothing, like `requestVifs`.
   */
  async requestVifsFor(reqs: readonly VifRequest[], opts: CallOptions = {}): Promise<Vif[]> {
    for (const req of reqs) {
      checkRequest(req);
      checkNode(req);
    }
    const o = { portDebug: this.portDebug, pooled: false };
    const bodies = reqs.map((req) => podPortBody(req, { ...o, hostId: req.pod.nodeName }));
    const ports = await createPortsTagged(this.neutron, bodies, this.tags, this.log, opts.signal);
    try {
      return ports.map((p, i) =>
        vifFromBoundPort(p, (reqs[i] as VifRequest).subnets, this.ovsBridge),
      );
    } catch (error) {
      await Promise.all(
        ports.map((p) => this.neutron.ports.deleteIfExists(p.id).catch(() => false)),
      );
      throw error;
    }
  }

  /** Deletes the port; already gone is success. */
  async releaseVif(vif: Vif, _pod?: PodRef, opts: CallOptions = {}): Promise<void> {
    await this.neutron.ports.deleteIfExists(vif.id, { signal: opts.signal });
  }

  /** @throws NotReadyError while the port is not ACTIVE (requeue); NotFoundError when it is gone. */
  async activateVif(vif: Vif, opts: CallOptions = {}): Promise<Vif> {
    if (vif.active) return vif;
    const status = await this.status.request(vif.id, opts.signal);
    if (status === undefined) throw new NotFoundError(`port ${vif.id} not found`);
    if (status !== 'ACTIVE') {
      throw new NotReadyError(`port ${vif.id} is ${status}, not ACTIVE yet`, {
        details: { portId: vif.id, status },
      });
    }
    return { ...vif, active: true };
  }

  /** Replaces the port's security groups (one PUT). */
  async updateVifSgs(vif: Vif, sgs: readonly string[], opts: CallOptions = {}): Promise<void> {
    await this.neutron.ports.update(vif.id, { security_groups: [...sgs] }, { signal: opts.signal });
  }

  private async toVifOrDelete(port: Port, subnets: readonly PodSubnet[]): Promise<Vif> {
    try {
      return vifFromBoundPort(port, subnets, this.ovsBridge);
    } catch (error) {
      await this.neutron.ports.deleteIfExists(port.id).catch(() => false);
      throw error;
    }
  }
}

/** @throws ValidationError for a request no driver can serve. */
export function checkRequest(req: VifRequest): void {
  if (req.subnets.length === 0) throw new ValidationError('VIF request without subnets');
  const nets = new Set(req.subnets.map((s) => s.network.id));
  if (nets.size > 1) {
    throw new ValidationError(`VIF request spans several networks: ${[...nets].join(', ')}`);
  }
}

function checkNode(req: VifRequest): void {
  if (req.pod.nodeName === '') throw new ValidationError('VIF request without a node name');
}
