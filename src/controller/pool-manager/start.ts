/**
 * @module Starts the pool manager (`[kubernetes] enable_manager = True`) on `[pool_manager] sock_file`:
 * service (logic) → routes (protocol) → server (socket), wired once by `kuryr controller`.
 */
import type { Logger } from 'pino';
import { ConfigurationError } from '../../common/errors/index.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { PodNetworkDrivers } from '../handlers/pod-info.js';
import { PoolManagerRoutes } from './routes.js';
import { PoolManagerServer } from './server.js';
import { PoolManagerService, type PoolManagerDeps } from './service.js';

/** A running pool manager. */
export interface PoolManager {
  /** Aborts running operations, stops listening, removes the socket. */
  close(): Promise<void>;
}

/** Options of {@link startPoolManager}. */
export interface StartPoolManagerOptions extends Omit<PoolManagerDeps, 'pool' | 'drivers'> {
  /** `[pool_manager] sock_file`. */
  socketPath: string;
  log: Logger;
  /** The controller's pool and pod drivers; undefined when no driver-backed handler is enabled. */
  drivers: (PodNetworkDrivers & { pool: VifPoolDriver }) | undefined;
}

/**
 * Builds and starts the pool manager.
 * @throws ConfigurationError without pod drivers; the socket errors of {@link PoolManagerServer.listen}.
 */
export async function startPoolManager(o: StartPoolManagerOptions): Promise<PoolManager> {
  if (o.drivers === undefined) {
    throw new ConfigurationError(
      '[kubernetes] enable_manager needs the pod handlers (enabled_handlers with vif, kuryrport): no pools otherwise',
    );
  }
  const log = o.log.child({ component: 'pool-manager' });
  const { drivers } = o;
  const service = new PoolManagerService({ ...o, log, pool: drivers.pool, drivers });
  const server = new PoolManagerServer(new PoolManagerRoutes(service, log), log);
  await server.listen(o.socketPath);
  return {
    close: async () => {
      service.close();
      await server.close();
    },
  };
}
