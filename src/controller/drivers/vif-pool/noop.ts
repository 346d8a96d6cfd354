/**
 * @module `noop` VIF pool: no pooling, every call goes to the Pod VIF driver — but concurrent port
 * creations with the same pool key are coalesced into one bulk request when the driver can do that.
 */
import type { Logger } from 'pino';
import { UnsupportedError } from '../../../common/errors/index.js';
import type { Vif } from '../../../models/vif.js';
import type { CallOptions, PodVifDriver, VifRequest } from '../pod-vif/types.js';
import { PodPortBatcher, supportsBulkFor, type PodPortBatcherOptions } from './pod-port-batcher.js';
import type { PoolInfo, VifPoolDriver } from './types.js';

/** Why there is nothing to free. */
const NO_POOLS =
  '[kubernetes] vif_pool_driver = noop keeps no pools; use vif_pool_driver = neutron';

/** The `noop` VIF pool driver. */
export class NoopVifPool implements VifPoolDriver {
  readonly alias = 'noop';
  readonly keepsPools = false;

  private readonly batcher: PodPortBatcher | undefined;

  /** With `batching`, creations are coalesced (drivers without `requestVifsFor` are called directly). */
  constructor(
    private readonly driver: PodVifDriver,
    batching?: PodPortBatcherOptions & { log: Logger },
  ) {
    if (batching !== undefined && supportsBulkFor(driver)) {
      this.batcher = new PodPortBatcher(driver, batching.log, batching);
    }
  }

  requestVif(req: VifRequest, opts?: CallOptions): Promise<Vif> {
    return this.batcher?.requestVif(req, opts) ?? this.driver.requestVif(req, opts);
  }
  releaseVif(vif: Vif, req: VifRequest, opts?: CallOptions): Promise<void> {
    return this.driver.releaseVif(vif, req.pod, opts);
  }
  activateVif(vif: Vif, opts?: CallOptions): Promise<Vif> {
    return this.driver.activateVif(vif, opts);
  }
  updateVifSgs(vif: Vif, sgs: readonly string[], opts?: CallOptions): Promise<void> {
    return this.driver.updateVifSgs(vif, sgs, opts);
  }
  populate(): Promise<number> {
    return Promise.resolve(0);
  }
  sync(): Promise<number> {
    return Promise.resolve(0);
  }
  removeSgFromPools(): Promise<void> {
    return Promise.resolve();
  }
  deleteNetworkPools(): Promise<void> {
    return Promise.resolve();
  }
  pools(): PoolInfo[] {
    return [];
  }
  poolPortIds(): string[] {
    return [];
  }
  freePools(): Promise<number> {
    return Promise.reject(new UnsupportedError(NO_POOLS));
  }
}
