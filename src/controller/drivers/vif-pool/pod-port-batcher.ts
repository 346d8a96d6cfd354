/**
 * @module Batched pod-port creation for the pool drivers: concurrent `requestVif` calls with the same
 * pool key (node, project, subnets, SG set) become ONE Neutron bulk port create through the Pod VIF
 * driver's `requestVifsFor`; a port whose pod went away meanwhile is released again.
 */
import type { Logger } from 'pino';
import type { Vif } from '../../../models/vif.js';
import type { CallOptions, PodVifDriver, VifRequest } from '../pod-vif/types.js';
import { keyParts, poolKey } from './pool-key.js';
import { RequestBatcher } from './request-batcher.js';

/** A Pod VIF driver that can create several pods' own ports in one bulk request. */
export interface BulkPodVifDriver extends PodVifDriver {
  requestVifsFor(reqs: readonly VifRequest[], opts?: CallOptions): Promise<Vif[]>;
}

/** True when `d` supports per-pod bulk creation (neutron-vif does; the nested drivers do not). */
export function supportsBulkFor(d: PodVifDriver): d is BulkPodVifDriver {
  return typeof (d as Partial<BulkPodVifDriver>).requestVifsFor === 'function';
}

/** Batching knobs. */
export interface PodPortBatcherOptions {
  /** Largest bulk request (`[vif_pool] ports_pool_batch`). @default 10 */
  maxBatch?: number;
  /** How long a request waits for company. @default 20 */
  windowMs?: number;
}

/** Coalesces pod port creations; see RequestBatcher for the guarantees. */
export class PodPortBatcher {
  private readonly batcher: RequestBatcher<VifRequest, Vif>;

  constructor(driver: BulkPodVifDriver, log: Logger, o: PodPortBatcherOptions = {}) {
    this.batcher = new RequestBatcher<VifRequest, Vif>({
      keyOf: (req) => poolKey(keyParts(req)),
      run: (reqs) => driver.requestVifsFor(reqs),
      // The waiter is gone (controller stopping, key requeued): nobody will record this port.
      discard: (vif, req) => driver.releaseVif(vif, req.pod),
      maxBatch: o.maxBatch ?? 10,
      windowMs: o.windowMs ?? 20,
      log,
    });
  }

  /** The pod's own port, created together with its concurrent same-key neighbours. */
  requestVif(req: VifRequest, opts: CallOptions = {}): Promise<Vif> {
    return this.batcher.request(req, opts.signal);
  }
}
