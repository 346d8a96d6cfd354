/**
 * @module `ovs` with `ovs_hybrid_plug: true`: tap on a per-port Linux bridge `qbr<id>`, joined to br-int
 * by the veth pair `qvb<id>` (on qbr) ↔ `qvo<id>` (on OVS, with the agent's external_ids).
 */
import { hybridBridgeName, hybridBridgeVethName, hybridOvsVethName } from '../../common/naming.js';
import type { Rollback } from '../rollback.js';
import type { BindTarget } from '../types.js';
import { OVS_OWNER, VethOvsDriver, ovsBridgeOf, ovsExternalIds } from './veth-ovs.js';

/** OVS hybrid plug (iptables-firewall style): tap → qbr → qvb/qvo → br-int. */
export class VethHybridDriver extends VethOvsDriver {
  override readonly name = 'ovs-hybrid';

  protected override async plugHost(
    t: BindTarget,
    host: string,
    mtu: number,
    rb: Rollback,
  ): Promise<void> {
    const qbr = hybridBridgeName(t.port.id);
    const qvb = hybridBridgeVethName(t.port.id);
    const qvo = hybridOvsVethName(t.port.id);
    if ((await this.nl.getLink(qbr)) === undefined) {
      await this.nl.createBridge({ name: qbr, mtu, up: true });
      rb.push(`delete ${qbr}`, () => this.nl.deleteLink(qbr));
    }
    await this.nl.setLink(qbr, { up: true });
    await this.nl.setLink(host, { master: qbr, up: true });
    if ((await this.nl.getLink(qvb)) === undefined || (await this.nl.getLink(qvo)) === undefined) {
      await this.nl.deleteLink(qvb);
      await this.nl.createVeth({ name: qvb, mtu, up: true, peer: { name: qvo, mtu } });
      rb.push(`delete ${qvb}`, () => this.nl.deleteLink(qvb));
    }
    await this.nl.setLink(qvb, { master: qbr, up: true });
    await this.nl.setLink(qvo, { up: true });
    await this.ovsdb.addPort(ovsBridgeOf(t, this.bridgeDefault), qvo, ovsExternalIds(t));
    rb.push(`remove OVS port ${qvo}`, () => this.ovsdb.deletePort(qvo));
  }

  protected override async unplugHost(t: BindTarget): Promise<void> {
    await this.ovsdb.deletePortsByIfaceId(t.port.id, OVS_OWNER);
    await this.ovsdb.deletePort(hybridOvsVethName(t.port.id));
    await this.nl.deleteLink(hybridBridgeVethName(t.port.id));
    await this.nl.deleteLink(hybridBridgeName(t.port.id));
  }

  protected override async checkHost(t: BindTarget, host: string): Promise<string[]> {
    const qbr = await this.nl.getLink(hybridBridgeName(t.port.id));
    if (qbr === undefined) return [`bridge ${hybridBridgeName(t.port.id)} missing`];
    const problems: string[] = [];
    for (const name of [host, hybridBridgeVethName(t.port.id)]) {
      const l = await this.nl.getLink(name);
      if (l?.masterIndex !== qbr.index) problems.push(`${name} not enslaved to ${qbr.name}`);
    }
    const qvo = hybridOvsVethName(t.port.id);
    const p = await this.ovsdb.getPort(qvo);
    if (p?.externalIds['iface-id'] !== t.port.id) problems.push(`OVS port ${qvo} missing or wrong`);
    return problems;
  }
}
