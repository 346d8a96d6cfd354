/**
 * @module The host-side plumbing the endpoint service needs: create the veth pair for a bound Neutron port in
 * dockerd's network namespace, plug the host end per `binding:vif_type`, leave the container end
 * (`t_c<port[:11]>`) for libnetwork to move (PROTOCOLS.md A.3).
 */
import type { Network, Port } from './neutron-port.js';

/** Plugs and unplugs host interfaces of Docker endpoints. Both methods are idempotent. */
export interface HostBinder {
  /**
   * Creates the veth pair and plugs the host end; returns the container-side interface name.
   * @throws UnsupportedError for a vif_type that cannot be plugged (`unbound`, `binding_failed`).
   */
  plug(port: Port, network: Network): Promise<string>;
  /** Removes the host interfaces of the port; missing links are fine. */
  unplug(port: Port): Promise<void>;
}
