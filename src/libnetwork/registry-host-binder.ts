/**
 * @module `HostBinder` over the binding registry: the driver is chosen by the port's `binding:vif_type`; for
 * Docker the pair is created in the current netns (dockerd's) and the container end `t_c<port[:11]>` is left
 * for libnetwork to move and rename (PROTOCOLS.md A.3).
 */
import { containerVethName } from '../common/naming.js';
import type { BindingRegistry } from '../binding/types.js';
import type { HostBinder } from './host-binder.js';
import type { Network, Port } from './neutron-port.js';

/** Binds Docker endpoints through the binding drivers. */
export class RegistryHostBinder implements HostBinder {
  constructor(private readonly registry: BindingRegistry) {}

  async plug(port: Port, network: Network): Promise<string> {
    const ifName = containerVethName(port.id);
    const result = await this.registry
      .driverFor(port)
      .bind({ port, ifName, ...(network.mtu ? { mtu: network.mtu } : {}) });
    return result.containerIfName;
  }

  async unplug(port: Port): Promise<void> {
    // an unbound port has no host side left to remove; pick by vif_type when known, else bridge-style veth
    let driver;
    try {
      driver = this.registry.driverFor(port);
    } catch {
      driver = this.registry.driver('bridge');
    }
    await driver.unbind({ port, ifName: containerVethName(port.id) });
  }
}
