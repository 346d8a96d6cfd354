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
      const peerUp = await this.ensureVeth(t, host, mtu, rb);
      signal?.throwIfAborted();
      await this.plugHost(t, host, mtu, rb);
      signal?.throwIfAborted();
      await configureContainerSide(this.nl, t, peerUp);
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

  /**
   * Creates the pair (host end up) unless it is already there, so a second bind converges instead of
   * failing. Optimistic: the common path is one request.
   * @returns whether the container end is known to be up already (never, for a veth)
   */
  private async ensureVeth(
    t: BindTarget,
    host: string,
    mtu: number,
    rb: Rollback,
  ): Promise<boolean> {
    const create = async (): Promise<void> => {
      await this.nl.createVeth({
        name: host,
        mtu,
        up: true,
        // NOTE: a veth peer cannot be created up (the kernel configures it before pairing the two
        // ends: ENOTCONN), so configureContainerSide brings the container end up.
        peer: { name: t.ifName, netns: t.netns, mac: t.port.mac_address, mtu },
      });
      rb.push(`delete veth ${host}`, () => this.nl.deleteLink(host));
    };
    try {
      await create();
      return false; // created, but the container end is still down
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    const existing = await this.nl.getLink(host);
    if (existing !== undefined && existing.kind === 'veth') {
      // Docker: libnetwork has moved/renamed the container end already — the host end alone proves it.
      const peer = t.netns === undefined ? undefined : await this.nl.getLink(t.ifName, t.netns);
      if (t.netns === undefined || peer !== undefined) {
        if (existing.mtu !== mtu || !existing.up) await this.nl.setLink(host, { mtu, up: true });
        return false;
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
    await create();
    return false;
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
