/**
 * @module `[kubernetes] vif_pool_driver` aliases → factories. `nested` and `multi_pool` are valid Python
 * aliases not implemented yet: refused at start-up with an UnsupportedError.
 */
import { UnsupportedError } from '../../../common/errors/index.js';
import { resolveAlias } from '../alias-registry.js';
import type { DriverDeps } from '../deps.js';
import type { PodVifDriver } from '../pod-vif/types.js';
import { NeutronVifPool } from './neutron-pool.js';
import { NoopVifPool } from './noop.js';
import type { VifPoolDriver } from './types.js';

/** Factory of one VIF pool driver around the configured Pod VIF driver. */
export type VifPoolFactory = (deps: DriverDeps, driver: PodVifDriver) => VifPoolDriver;

function unsupported(alias: string): VifPoolFactory {
  return () => {
    throw new UnsupportedError(
      `[kubernetes] vif_pool_driver '${alias}' is not supported yet; use noop or neutron`,
    );
  };
}

/** The aliases (exactly the Python strings). */
export const VIF_POOL_DRIVERS = {
  noop: (d, driver) =>
    new NoopVifPool(driver, { log: d.log, maxBatch: d.config.vifPool.portsPoolBatch }),
  neutron: (d, driver) => NeutronVifPool.fromDeps(d, driver),
  nested: unsupported('nested'),
  multi_pool: unsupported('multi_pool'),
} as const satisfies Readonly<Record<string, VifPoolFactory>>;

/** A valid `vif_pool_driver` value. */
export type VifPoolAlias = keyof typeof VIF_POOL_DRIVERS;

/** @throws ConfigurationError for an unknown alias; UnsupportedError for nested / multi_pool. */
export function createVifPoolDriver(
  alias: string,
  deps: DriverDeps,
  driver: PodVifDriver,
): VifPoolDriver {
  return resolveAlias<VifPoolFactory>(
    VIF_POOL_DRIVERS,
    alias,
    '[kubernetes] vif_pool_driver',
  )(deps, driver);
}
