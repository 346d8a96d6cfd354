/**
 * @module Shared skeleton of the veth-based drivers (bridge, ovs, ovs-hybrid, tap): create the pair
 * `tap<port>` ↔ container end (directly inside the netns when one is given), plug the host end the way
 * the subclass says, configure L3; roll back on failure; converge when called again.
 */
import type { Logger } from 'pino';
import { ConflictError } from '../../common/errors/index.js';
import { assertIfName, hostVethName } from '../../common/naming.js';
import type { Netlink } from '../netlink/types.js';
import { Rollback } from '../rollback.js';
import type { BindResult, BindTarget, BindingDriver, CheckReport } from '../types.js';
import { checkContainerSide, configureContainerSide, targetMtu } from './container-side.js';

/** Dependencies of every veth driver. */
export interface VethDriverDeps {
  netlink: Netlink;
  logger: Logger;
}

/** Base class: subclasses implement how the host end is plugged and unplugged. */
export abstract class VethDriver implements BindingDriver {
  abstract readonly name: string;
  protected readonly nl: Netlink;
  protected readonly log: Logger;

  constructor(deps: VethDriverDeps) {
    this.nl = deps.netlink;
    this.log = deps.logger;
  }

  /** Plugs the (up) host end `host`; registers undo steps on `rb`. Must be idempotent. */
  protected abstract plugHost(
    t: BindTarget,
    host: string,
    mtu: number,
    rb: Rollback,
  ): Promise<void>;
  /** Removes whatever `plugHost` created except the veth itself. Idempotent. */
  protected abstract unplugHost(t: BindTarget, host: string): Promise<void>;
  /** Problems with the host-side plumbing (empty when fine). */
  protected abstract checkHost(t: BindTarget, host: string): Promise<string[]>;

  async bind(t: BindTarget, signal?: AbortSignal): Promise<BindResult> {
    signal?.throwIfAborted();
    const mtu = targetMtu(t);
    const host = hostVethName(t.port.id);
    assertIfName(t.ifName);
    return new Rollback(this.log).guard(async (rb) => {
      await this.ensureVeth(t, host, mtu, rb);
      signal?.throwIfAborted();
      await this.nl.setLink(host, { up: true });
      await this.plugHost(t, host, mtu, rb);
      signal?.throwIfAborted();
      await configureContainerSide(this.nl, t);
      this.log.debug({ portId: t.port.id, host, driver: this.name }, 'port bound');
      return {
        driver: this.name,
        hostIfName: host,
        containerIfName: t.ifName,
        mac: t.port.mac_address,
        mtu,
      };
    });
  }

  /** Creates the pair unless it is already there (second bind converges instead of failing). */
  private async ensureVeth(t: BindTarget, host: string, mtu: number, rb: Rollback): Promise<void> {
    const existing = await this.nl.getLink(host);
    if (existing !== undefined && existing.kind === 'veth') {
      // Docker: libnetwork has moved/renamed the container end already — the host end alone proves it.
      if (t.netns === undefined) return;
      if ((await this.nl.getLink(t.ifName, t.netns)) !== undefined) {
        if (existing.mtu !== mtu) await this.nl.setLink(host, { mtu });
        return;
      }
    }
    if (existing !== undefined) await this.nl.deleteLink(host); // a stale half of an earlier attempt
    const clash = await this.nl.getLink(t.ifName, t.netns);
    if (clash !== undefined) {
      if (t.netns === undefined && clash.kind === 'veth') await this.nl.deleteLink(t.ifName);
      else
        throw new ConflictError(
          `interface ${t.ifName} already exists in ${t.netns ?? 'this netns'}`,
        );
    }
    await this.nl.createVeth({
      name: host,
      mtu,
      peer: { name: t.ifName, netns: t.netns, mac: t.port.mac_address, mtu },
    });
    rb.push(`delete veth ${host}`, () => this.nl.deleteLink(host));
  }

  async unbind(t: BindTarget, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const host = hostVethName(t.port.id);
    await this.unplugHost(t, host);
    const gone = !(await this.nl.deleteLink(host));
    if (gone && t.netns !== undefined) {
      // The host end is gone but a container end may survive (e.g. crash mid-bind): remove it if it is ours.
      const peer = await this.nl.getLink(t.ifName, t.netns).catch(() => undefined);
      if (peer?.kind === 'veth' && peer.mac === t.port.mac_address.toLowerCase()) {
        await this.nl.deleteLink(t.ifName, t.netns);
      }
    }
    this.log.debug({ portId: t.port.id, host, driver: this.name }, 'port unbound');
  }

  async check(t: BindTarget): Promise<CheckReport> {
    const host = hostVethName(t.port.id);
    const link = await this.nl.getLink(host);
    if (link === undefined) return { ok: false, problems: [`host end ${host} missing`] };
    const problems = link.up ? [] : [`host end ${host} is down`];
    problems.push(...(await this.checkHost(t, host)));
    if (t.netns !== undefined || (await this.nl.getLink(t.ifName)) !== undefined) {
      problems.push(...(await checkContainerSide(this.nl, t)).problems);
    }
    return { ok: problems.length === 0, problems };
  }
}
