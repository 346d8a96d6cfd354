/**
 * @module `macvlan` and `vlan` nested drivers (containers inside a Nova VM): the container interface is
 * a child of the VM's interface (`linkIface`), created straight into the netns; no host end.
 * macvlan also puts the container's IP+MAC in the VM port's allowed_address_pairs.
 */
import type { Logger } from 'pino';
import { ConflictError, ValidationError } from '../../common/errors/index.js';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import { assertIfName } from '../../common/naming.js';
import {
  addAllowedAddressPairs,
  assertVlanId,
  pairsFor,
  removeAllowedAddressPairs,
} from '../nested-neutron.js';
import type { Netlink } from '../netlink/types.js';
import { Rollback } from '../rollback.js';
import type {
  BindResult,
  BindTarget,
  BindingDriver,
  CheckReport,
  NestedNeutron,
} from '../types.js';
import { checkContainerSide, configureContainerSide, targetMtu } from './container-side.js';

/** Dependencies of the nested drivers. */
export interface NestedDriverDeps {
  netlink: Netlink;
  logger: Logger;
  /** Needed by macvlan when `vmPortId` is set (allowed address pairs). */
  neutron?: NestedNeutron;
  /** `[binding] link_iface` when the target names none. */
  linkIface?: string;
}

/** Nested binding through a macvlan (bridge mode) or an 802.1Q VLAN child of the VM interface. */
export class NestedDriver implements BindingDriver {
  /** Serialises pair updates per VM port within this process (see nested-neutron.ts). */
  private readonly locks = new KeyedMutex();

  constructor(
    readonly name: 'macvlan' | 'vlan',
    private readonly deps: NestedDriverDeps,
  ) {}

  private parent(t: BindTarget): string {
    const link = t.linkIface ?? this.deps.linkIface;
    if (link === undefined)
      throw new ValidationError(`${this.name} binding needs [binding] link_iface`);
    return link;
  }

  async bind(t: BindTarget, signal?: AbortSignal): Promise<BindResult> {
    signal?.throwIfAborted();
    const nl = this.deps.netlink;
    const mtu = targetMtu(t);
    const parent = this.parent(t);
    assertIfName(t.ifName);
    const vlanId = this.name === 'vlan' ? assertVlanId(t.vlanId) : undefined;
    return new Rollback(this.deps.logger).guard(async (rb) => {
      const existing = await nl.getLink(t.ifName, t.netns);
      const created = existing === undefined;
      if (existing === undefined) {
        const spec = {
          name: t.ifName,
          parent,
          netns: t.netns,
          mac: t.port.mac_address,
          mtu,
          up: t.netns !== undefined,
        };
        if (vlanId === undefined) await nl.createMacvlan(spec);
        else await nl.createVlan({ ...spec, vlanId });
        rb.push(`delete ${t.ifName}`, () => nl.deleteLink(t.ifName, t.netns));
      } else if (existing.kind !== this.name || existing.mac !== t.port.mac_address.toLowerCase()) {
        throw new ConflictError(
          `interface ${t.ifName} already exists in ${t.netns ?? 'this netns'}`,
        );
      }
      if (this.name === 'macvlan' && t.vmPortId !== undefined && this.deps.neutron !== undefined) {
        const neutron = this.deps.neutron;
        const vmPortId = t.vmPortId;
        await addAllowedAddressPairs(neutron, vmPortId, pairsFor(t.port), this.locks, signal);
        rb.push('remove allowed address pairs', () =>
          removeAllowedAddressPairs(neutron, vmPortId, pairsFor(t.port), this.locks),
        );
      }
      await configureContainerSide(nl, t, created);
      return { driver: this.name, containerIfName: t.ifName, mac: t.port.mac_address, mtu };
    });
  }

  async unbind(t: BindTarget, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await this.deps.netlink.deleteLink(t.ifName, t.netns);
    if (this.name === 'macvlan' && t.vmPortId !== undefined && this.deps.neutron !== undefined) {
      await removeAllowedAddressPairs(
        this.deps.neutron,
        t.vmPortId,
        pairsFor(t.port),
        this.locks,
        signal,
      );
    }
  }

  check(t: BindTarget): Promise<CheckReport> {
    return checkContainerSide(this.deps.netlink, t);
  }
}
