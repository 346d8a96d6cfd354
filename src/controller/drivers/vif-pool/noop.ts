/** @module `noop` VIF pool: no pooling, every call goes straight to the Pod VIF driver. */
import type { Vif } from '../../../models/vif.js';
import type { CallOptions, PodVifDriver, VifRequest } from '../pod-vif/types.js';
import type { PoolInfo, VifPoolDriver } from './types.js';

/** The `noop` VIF pool driver. */
export class NoopVifPool implements VifPoolDriver {
  readonly alias = 'noop';

  constructor(private readonly driver: PodVifDriver) {}

  requestVif(req: VifRequest, opts?: CallOptions): Promise<Vif> {
    return this.driver.requestVif(req, opts);
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
}
