/**
 * @module `kuryrport` handler: KuryrPort → VIF(s). With no `status.vifs` it builds the pod's VIF request
 * (project, subnets, security groups drivers), takes a VIF from the pool and writes it as the os-vif
 * primitive into `status.vifs.eth0` (JSON patch on the main resource: no status subresource,
 * COMPATIBILITY.md §6); then it marks the VIF active once Neutron says ACTIVE. On deletion it releases
 * every VIF back to the pool (or deletes the port) before the finalizer goes.
 */
import {
  ConflictError,
  isNotFoundError,
  isValidationError,
  NotReadyError,
} from '../../common/errors/index.js';
import type { KuryrPort, KuryrPortVifEntry } from '../../k8s/crds/types.js';
import { FINALIZER_KURYRPORT } from '../../k8s/constants.js';
import { KINDS } from '../../k8s/kinds.js';
import { vifFromPrimitive, vifToPrimitive } from '../../models/vif-primitive.js';
import type { Vif } from '../../models/vif.js';
import type { PodRef, PodVifDriver, VifRequest } from '../drivers/pod-vif/types.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { HandlerContext, HandlerResult, ResourceHandler } from '../pipeline/types.js';
import { buildVifRequest, hostIpOf, type PodNetworkDrivers } from './pod-info.js';
import { hostIpForRelease } from './release-host-ip.js';

/** What the handler is built from. */
export interface KuryrPortHandlerDeps extends PodNetworkDrivers {
  pool: VifPoolDriver;
  /** Releases a VIF directly when its pool key can no longer be resolved (namespace gone). */
  podVif: PodVifDriver;
  /** Told, once per pod, the seconds from pod creation to its first VIF write (metrics). */
  observePodCreationLatency?: (seconds: number) => void;
  /** Clock of that latency. @default Date.now */
  now?: () => number;
}

/** Poll interval while a VIF is not ACTIVE yet: 1 s for a fresh port, growing with its age. */
const ACTIVE_POLL_MS = 1000;
/** Longest poll interval (a port that never goes ACTIVE, e.g. its pod never started). */
const ACTIVE_POLL_MAX_MS = 30_000;

/**
 * A port normally goes ACTIVE seconds after the CNI plugged it; polling every second forever would put
 * one Neutron read per waiting pod per second on the API (1000 pending pods = 1000 reads/s). So the
 * interval is a quarter of the KuryrPort's age, between 1 s and 30 s: level-based, no state to keep.
 */
export function activePollMs(kp: KuryrPort, now = Date.now()): number {
  const created = Date.parse(kp.metadata?.creationTimestamp ?? '');
  const age = Number.isNaN(created) ? 0 : Math.max(0, now - created);
  return Math.min(ACTIVE_POLL_MAX_MS, Math.max(ACTIVE_POLL_MS, Math.round(age / 4)));
}

/** Status writes per created VIF before the port is given back (each retry re-reads the KuryrPort). */
const MAX_STATUS_WRITES = 3;
/** Deadline of the re-read that decides whether a failed status write landed. */
const REREAD_MS = 10_000;
const UNKNOWN = Symbol('unknown');

/** The `kuryrport` handler. */
export class KuryrPortHandler implements ResourceHandler<KuryrPort> {
  readonly alias = 'kuryrport';
  readonly kind = KINDS.kuryrPort;
  readonly finalizer = FINALIZER_KURYRPORT;

  constructor(private readonly d: KuryrPortHandlerDeps) {}

  async onPresent(kp: KuryrPort, ctx: HandlerContext): Promise<HandlerResult | void> {
    const entries = Object.entries(kp.status?.vifs ?? {});
    if (entries.length === 0) return this.create(kp, ctx);
    let changed = false;
    const next: Record<string, KuryrPortVifEntry> = {};
    for (const [ifname, entry] of entries) {
      let vif = vifFromPrimitive(entry.vif);
      if (!vif.active) {
        vif = await this.d.pool.activateVif(vif, { signal: ctx.signal }).catch((e: unknown) => {
          // The port was deleted behind our back: retrying cannot bring it back, and replacing it
          // would change the IP of a pod that is already wired. Terminal, with a Warning Event.
          if (isNotFoundError(e)) {
            throw new ConflictError(
              `Neutron port ${vif.id} of this pod is gone (deleted outside kuryr); recreate the pod`,
            );
          }
          return vif; // not ACTIVE yet: poll again below
        });
        changed ||= vif.active;
      }
      next[ifname] = { default: entry.default, vif: vifToPrimitive(vif) };
    }
    if (changed) await this.writeVifs(kp, next, ctx);
    if (Object.values(next).some((e) => !vifFromPrimitive(e.vif).active)) {
      return { requeueAfterMs: activePollMs(kp) };
    }
  }

  async onFinalize(kp: KuryrPort, ctx: HandlerContext): Promise<void> {
    // nested drivers find the VM port (macvlan pair, trunk) by the node IP
    const nested = this.d.podVif.alias.startsWith('nested-');
    const pod = this.podRef(
      kp,
      nested ? await hostIpForRelease(ctx.api, kp, ctx.signal) : undefined,
    );
    for (const entry of Object.values(kp.status?.vifs ?? {})) {
      const vif = vifFromPrimitive(entry.vif);
      const req = await buildVifRequest(this.d, pod, undefined, ctx.signal).catch(() => undefined);
      if (req === undefined) await this.d.podVif.releaseVif(vif, pod, { signal: ctx.signal });
      else await this.d.pool.releaseVif(vif, req, { signal: ctx.signal });
      ctx.log.info({ portId: vif.id, pod: `${pod.namespace}/${pod.name}` }, 'VIF released');
    }
  }

  private async create(kp: KuryrPort, ctx: HandlerContext): Promise<HandlerResult> {
    const m = kp.metadata ?? {};
    const pod = await ctx.api
      .get(KINDS.pod, m.name ?? '', m.namespace, { signal: ctx.signal })
      .catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
    // The pod is gone or is a newer one: its own KuryrPort will follow; nothing to create here.
    if (pod === undefined || pod.metadata?.uid !== kp.spec.podUid) return {};
    const ref = this.podRef(kp, hostIpOf(pod));
    const req = await buildVifRequest(this.d, ref, pod.metadata?.labels, ctx.signal);
    const vif = await this.d.pool.requestVif(req, { signal: ctx.signal });
    await this.recordVif(kp, vif, req, ctx);
    ctx.log.info({ portId: vif.id, pod: `${ref.namespace}/${ref.name}` }, 'VIF written');
    // Only this path writes a first VIF (an already-wired KuryrPort never gets here), so a pod is
    // observed once; the pod was read above anyway: no extra API call.
    const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
    if (this.d.observePodCreationLatency && !Number.isNaN(created)) {
      this.d.observePodCreationLatency(((this.d.now ?? Date.now)() - created) / 1000);
    }
    return vif.active ? {} : { requeueAfterMs: activePollMs(kp) };
  }

  /**
   * Writes `vif` into the KuryrPort's status. The port is given back only when the KuryrPort is known
   * NOT to reference it: handing out a port that a written status still names would give one port to
   * two pods, which is worse than a leak (the leader's start-up sweep and `kuryr k8s-gc` remove leaks).
   * - 422 (the resourceVersion `test` lost: usually our own finalizer write racing the informer cache):
   *   re-read and write again on the fresh object, keeping the same port (no create/delete churn);
   * - any other failure (timeout, abort, 5xx): the write may have landed, so re-read and decide.
   */
  private async recordVif(kp: KuryrPort, vif: Vif, req: VifRequest, ctx: HandlerContext) {
    const entry = { eth0: { default: true, vif: vifToPrimitive(vif) } };
    let current = kp;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeVifs(current, entry, ctx);
      } catch (error) {
        const fresh = await this.reread(kp, ctx);
        if (fresh === UNKNOWN) {
          ctx.log.warn(
            { portId: vif.id, err: error },
            'VIF status write outcome unknown; port kept',
          );
          throw error;
        }
        if (fresh !== undefined && referencesPort(fresh, vif.id)) return; // the write did land
        const writable =
          fresh !== undefined &&
          fresh.metadata?.deletionTimestamp === undefined &&
          fresh.spec.podUid === kp.spec.podUid &&
          Object.keys(fresh.status?.vifs ?? {}).length === 0;
        if (writable && attempt < MAX_STATUS_WRITES) {
          current = fresh;
          continue;
        }
        // Status not written and never will be by this run: nobody references the port (§5 rollback).
        await this.d.pool.releaseVif(vif, req).catch(() => undefined);
        if (isStaleWrite(error) || writable) {
          throw new NotReadyError(
            `KuryrPort ${kp.metadata?.namespace}/${kp.metadata?.name} changed; retrying`,
          );
        }
        throw error;
      }
    }
  }

  /** The KuryrPort as the API has it now; `undefined` when gone; UNKNOWN when it cannot be read. */
  private async reread(kp: KuryrPort, ctx: HandlerContext) {
    const m = kp.metadata ?? {};
    // Own deadline: the handler's signal may be the one that just aborted the write.
    return ctx.api
      .get(KINDS.kuryrPort, m.name ?? '', m.namespace, { signal: AbortSignal.timeout(REREAD_MS) })
      .catch((e: unknown) => (isNotFoundError(e) ? undefined : UNKNOWN));
  }

  private podRef(kp: KuryrPort, hostIp: string | undefined): PodRef {
    return {
      uid: kp.spec.podUid,
      namespace: kp.metadata?.namespace ?? '',
      name: kp.metadata?.name ?? '',
      nodeName: kp.spec.podNodeName,
      ...(hostIp !== undefined ? { hostIp } : {}),
    };
  }

  private async writeVifs(
    kp: KuryrPort,
    vifs: Record<string, KuryrPortVifEntry>,
    ctx: HandlerContext,
  ): Promise<void> {
    await ctx.api.patchJson(
      KINDS.kuryrPort,
      kp.metadata?.name ?? '',
      kp.metadata?.namespace,
      [
        { op: 'test', path: '/metadata/resourceVersion', value: kp.metadata?.resourceVersion },
        { op: 'add', path: '/status', value: { vifs } },
      ],
      { signal: ctx.signal },
    );
  }
}

/** True when any VIF in the KuryrPort's status is the port `portId`. */
function referencesPort(kp: KuryrPort, portId: string): boolean {
  return Object.values(kp.status?.vifs ?? {}).some((e) => vifFromPrimitive(e.vif).id === portId);
}

/** A JSON patch whose `test` op failed: the apiserver answers 422 Invalid. */
function isStaleWrite(error: unknown): boolean {
  if (!isValidationError(error)) return false;
  const details = (error as { details?: { code?: unknown } }).details;
  return details?.code === 422;
}
