/**
 * @module `bridge` vif_type (linuxbridge agent): host end enslaved to `brq<network_id[:11]>`, the bridge
 * created when missing (COMPATIBILITY.md §2). The agent scans `tap*` devices and owns the bridge after.
 */
import { ConflictError, NotFoundError } from '../../common/errors/index.js';
import { linuxBridgeName } from '../../common/naming.js';
import type { Rollback } from '../rollback.js';
import type { BindTarget } from '../types.js';
import { VethDriver } from './veth-driver.js';

/** Veth + Linux bridge, as the Neutron linuxbridge agent expects. */
export class VethBridgeDriver extends VethDriver {
  readonly name = 'bridge';

  protected async plugHost(t: BindTarget, host: string, mtu: number, rb: Rollback): Promise<void> {
    const bridge = linuxBridgeName(t.port.network_id);
    try {
      await this.nl.setLink(host, { master: bridge }); // common case: the bridge exists (one request)
      return;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if ((await this.nl.getLink(bridge)) === undefined) {
      try {
        await this.nl.createBridge({ name: bridge, mtu, up: true });
        rb.push(`delete bridge ${bridge}`, () => this.deleteIfEmpty(bridge, host));
      } catch (err) {
        // NOTE: the agent (or a concurrent bind on the same network) may create it at the same moment.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    await this.nl.setLink(bridge, { up: true });
    await this.nl.setLink(host, { master: bridge });
  }

  private async deleteIfEmpty(bridge: string, except: string): Promise<void> {
    const br = await this.nl.getLink(bridge);
    if (br === undefined) return;
    const members = (await this.nl.listLinks()).filter(
      (l) => l.masterIndex === br.index && l.name !== except,
    );
    if (members.length === 0) await this.nl.deleteLink(bridge);
  }

  protected async unplugHost(): Promise<void> {
    // Deleting the veth releases it from the bridge; the bridge itself belongs to the agent from now on
    // (it removes the brq bridge, with its vxlan-N, when the network is deleted), as with kuryr-lib.
  }

  protected async checkHost(t: BindTarget, host: string): Promise<string[]> {
    const bridge = await this.nl.getLink(linuxBridgeName(t.port.network_id));
    const link = await this.nl.getLink(host);
    if (bridge === undefined) return [`bridge ${linuxBridgeName(t.port.network_id)} missing`];
    return link?.masterIndex === bridge.index ? [] : [`${host} not enslaved to ${bridge.name}`];
  }
}
