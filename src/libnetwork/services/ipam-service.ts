/**
 * @module IpamDriver calls (PROTOCOLS.md A.4) on Neutron subnetpools, subnets and ports. PoolID = subnetpool id
 * (or `<id>:<cidr>` for a block of a shared pool, §9 #5); addresses are unbound-then-bound ports created in
 * one call with binding host and owner, so a container attach costs as few Neutron calls as possible.
 */
import type { Logger } from 'pino';
import {
  ConflictError,
  NotReadyError,
  ValidationError,
  isNotFoundError,
} from '../../common/errors/index.js';
import { TAG_PORT_EXISTING, TAG_SUBNETPOOL_EXISTING } from '../../common/tags.js';
import { containsCidr, firstHost, formatCidr, freeBlock, ipToBig, parseCidr } from '../cidr.js';
import type { LibnetworkNeutron, Subnet, Subnetpool } from '../neutron-port.js';
import type { PortPool } from '../port-pool.js';
import type { LibnetworkOptions } from '../options.js';
import type { RequestAddressRequest, RequestPoolRequest } from '../schemas/ipam-driver.js';
import { AddressPorts } from './address-ports.js';
import type { NeutronLookup } from './neutron-lookup.js';
import { formatPoolId, parsePoolId, poolRef, sharedOption, subnetRef } from './pool-options.js';
import { findSubnet, findSubnetpool, releasePort } from './neutron-objects.js';
import { releaseSubnetpool } from './release-pool.js';

export const GATEWAY_DATA_KEY = 'com.docker.network.gateway';
export const MAC_OPTION = 'com.docker.network.endpoint.macaddress';
export { UNBOUND_PORT_NAME } from './address-ports.js';
const RESERVATION_MS = 5 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The IpamDriver service. */
export class IpamService {
  /** PoolID → CIDR and gateway of pools handed out by this process. */
  private readonly pools = new Map<
    string,
    { cidr: string; gateway?: string; subnetpool?: Subnetpool }
  >();
  /** `${version}|${cidr}` → PoolID, for CreateNetwork. */
  private readonly poolByCidr = new Map<string, string>();
  /** Blocks of shared pools handed out but not yet turned into subnets. */
  private readonly reserved = new Map<string, number>();
  private readonly subnetsByPool = new Map<string, Subnet[]>();
  private readonly ports: AddressPorts;

  constructor(
    private readonly neutron: LibnetworkNeutron,
    private readonly lookup: NeutronLookup,
    private readonly options: LibnetworkOptions,
    private readonly log: Logger,
    /** Optional `[vif_pool]` port pool: an address without `--ip`/MAC costs no Neutron call. */
    private readonly portPool?: PortPool,
  ) {
    this.ports = new AddressPorts(neutron, lookup, options, log, portPool);
  }

  /**
   * `IpamDriver.GetCapabilities` RequiresMACAddress: false with a port pool, so dockerd invents no MAC and the
   * pre-bound pooled port keeps its own (returned by CreateEndpoint); true without (the original's answer).
   */
  requiresMacAddress(): boolean {
    return this.portPool === undefined;
  }

  /** `IpamDriver.RequestPool`. @throws ValidationError, ConflictError, NotFoundError */
  async requestPool(req: RequestPoolRequest): Promise<Record<string, unknown>> {
    const v6 = req.V6 === true;
    const opts = req.Options ?? {};
    const pool = req.Pool ? formatCidr(parseCidr(req.Pool)) : '';
    const sub = req.SubPool ? formatCidr(parseCidr(req.SubPool)) : '';
    if (sub && !pool) throw new ValidationError('--ip-range needs --subnet');
    if (pool && (parseCidr(pool).version === 6) !== v6) {
      throw new ValidationError(`subnet ${pool} is not an IPv${v6 ? 6 : 4} prefix`);
    }
    if (sub && !containsCidr(parseCidr(pool), parseCidr(sub))) {
      throw new ValidationError(`--ip-range ${sub} is not inside --subnet ${pool}`);
    }
    const sref = subnetRef(opts, v6);
    if (sref) {
      const subnet = await findSubnet(this.neutron, sref);
      if (pool && pool !== formatCidr(parseCidr(subnet.cidr))) {
        throw new ValidationError(
          `--subnet ${pool} differs from Neutron subnet ${subnet.id} (${subnet.cidr})`,
        );
      }
      const tagged = await this.neutron.list('subnetpools', { tags: subnet.id });
      let sp = tagged[0];
      if (!sp) sp = await this.createPool(subnet.cidr, opts, '', [subnet.id]);
      this.subnetsByPool.set(sp.id, [subnet]);
      return this.answer(sp.id, subnet.cidr, subnet.gateway_ip ?? undefined);
    }
    const pref = poolRef(opts, v6);
    if (pref) {
      const sp = await findSubnetpool(this.neutron, pref);
      if (!pool) return this.allocateBlock(sp);
      if (sp.prefixes.some((p) => containsCidr(parseCidr(p), parseCidr(pool)))) {
        if (!sp.tags.includes(TAG_SUBNETPOOL_EXISTING)) {
          await this.neutron.replaceTags('subnetpools', sp.id, [
            ...sp.tags,
            TAG_SUBNETPOOL_EXISTING,
          ]);
        }
        return this.answer(sp.id, pool, firstHost(parseCidr(pool)));
      }
      this.log.info(
        { pool, subnetpoolId: sp.id },
        'requested subnet outside neutron.pool: making a kuryrPool',
      );
    }
    if (!pool) {
      const name = v6 ? this.options.defaultSubnetpoolV6 : this.options.defaultSubnetpoolV4;
      const sp = await findSubnetpool(this.neutron, { name }).catch((e: unknown) => {
        if (!isNotFoundError(e)) throw e;
        throw new ValidationError(
          `no --subnet given and default subnetpool "${name}" does not exist: create it in Neutron ` +
            `or set [neutron] default_subnetpool_v${v6 ? 6 : 4}`,
        );
      });
      return this.allocateBlock(sp);
    }
    const name = `${this.options.subnetpoolNamePrefix}-${pool}`;
    const found = await this.neutron.list('subnetpools', { name });
    if (found.length > 1)
      throw new ConflictError(`${found.length} subnetpools named ${name}; remove duplicates`);
    let sp = found[0];
    const shared = sharedOption(opts);
    if (sp && shared !== undefined && sp.shared !== shared) {
      throw new ConflictError(`subnetpool ${name} has shared=${sp.shared}, option asks ${shared}`);
    }
    sp ??= await this.createPool(pool, opts, sub, []);
    return this.answer(sp.id, pool, firstHost(parseCidr(pool)), sp);
  }

  private async createPool(
    cidr: string,
    opts: Record<string, unknown>,
    sub: string,
    tags: string[],
  ) {
    const c = parseCidr(cidr);
    const shared = sharedOption(opts);
    const sp = await this.neutron.create('subnetpools', {
      name: `${this.options.subnetpoolNamePrefix}-${formatCidr(c)}`,
      prefixes: [formatCidr(c)],
      default_prefixlen: c.prefixLen,
      min_prefixlen: c.prefixLen,
      ...(shared === undefined ? {} : { shared }),
      ...(sub ? { description: `kuryr:ip-range=${sub}` } : {}),
    });
    if (tags.length) await this.neutron.replaceTags('subnetpools', sp.id, tags);
    return { ...sp, tags };
  }

  // NOTE: COMPATIBILITY.md §9 #5 — no --subnet: hand out one default_prefixlen block, not the whole pool.
  private async allocateBlock(sp: Subnetpool): Promise<Record<string, unknown>> {
    const now = Date.now();
    for (const [k, t] of this.reserved) if (t < now) this.reserved.delete(k);
    const subnets = await this.neutron.list('subnets', { subnetpool_id: sp.id });
    const used = [...subnets.map((s) => s.cidr), ...this.reserved.keys()].map(parseCidr);
    const block = freeBlock(sp.prefixes.map(parseCidr), Number(sp.default_prefixlen), used);
    if (!block) {
      throw new ConflictError(`subnetpool ${sp.name} is exhausted: add prefixes or pass --subnet`);
    }
    const cidr = formatCidr(block);
    this.reserved.set(cidr, now + RESERVATION_MS);
    return this.answer(formatPoolId({ subnetpoolId: sp.id, cidr }), cidr, firstHost(block));
  }

  private answer(poolId: string, cidr: string, gateway?: string, sp?: Subnetpool) {
    const c = parseCidr(cidr);
    this.pools.set(poolId, { cidr, gateway, subnetpool: sp });
    this.poolByCidr.set(`${c.version}|${formatCidr(c)}`, poolId);
    // NOTE: §9 #6 — the gateway goes in Data, so `--gateway` is optional.
    const data = gateway ? { [GATEWAY_DATA_KEY]: `${gateway}/${c.prefixLen}` } : {};
    return { PoolID: poolId, Pool: cidr, Data: data };
  }

  /** PoolID this process handed out for a CIDR (CreateNetwork hint), if any. */
  poolIdForCidr(cidr: string): string | undefined {
    const c = parseCidr(cidr);
    return this.poolByCidr.get(`${c.version}|${formatCidr(c)}`);
  }

  /** The `--ip-range` stored on a kuryrPool, if any. */
  subPoolOf(poolId: string): string | undefined {
    const d = this.pools.get(poolId)?.subnetpool?.description;
    return d?.startsWith('kuryr:ip-range=') ? d.slice('kuryr:ip-range='.length) : undefined;
  }

  /** Called when CreateNetwork made a subnet from a pool. */
  subnetCreated(poolId: string, subnet: Subnet): void {
    this.reserved.delete(formatCidr(parseCidr(subnet.cidr)));
    const list = this.subnetsByPool.get(poolId);
    if (list) list.push(subnet);
    else this.subnetsByPool.set(poolId, [subnet]);
  }

  private async subnetsOf(poolId: string): Promise<Subnet[]> {
    const cached = this.subnetsByPool.get(poolId);
    if (cached?.length) return cached;
    const p = parsePoolId(poolId);
    const subnets = await this.neutron.list('subnets', {
      subnetpool_id: p.subnetpoolId,
      ...(p.cidr ? { cidr: p.cidr } : {}),
    });
    if (subnets.length === 0 && !p.cidr) {
      // a pool made for an existing subnet (neutron.subnet.*) is tagged with that subnet's id
      const sp = await this.neutron.get('subnetpools', p.subnetpoolId).catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
      const ids = (sp?.tags ?? []).filter((t) => UUID.test(t));
      if (ids.length) subnets.push(...(await this.neutron.list('subnets', { id: ids })));
    }
    if (subnets.length) this.subnetsByPool.set(poolId, subnets);
    this.lookup.rememberSubnets(subnets);
    return subnets;
  }

  /** `IpamDriver.RequestAddress`. @throws ValidationError, ConflictError, NotReadyError */
  async requestAddress(req: RequestAddressRequest): Promise<Record<string, unknown>> {
    const opts = req.Options ?? {};
    const address = req.Address ?? '';
    if (address) ipToBig(address);
    if (opts.RequestAddressType === GATEWAY_DATA_KEY) return this.gateway(req.PoolID, address);
    const subnets = await this.subnetsOf(req.PoolID);
    if (subnets.length === 0) {
      // aux addresses arrive before CreateNetwork (PROTOCOLS.md A.7 #13): reserved there, echoed here.
      if (address)
        return {
          Address: `${address}/${parseCidr(await this.poolCidr(req.PoolID)).prefixLen}`,
          Data: {},
        };
      throw new NotReadyError(
        `pool ${req.PoolID} has no Neutron subnet yet; create the Docker network first`,
      );
    }
    const subnet = address
      ? subnets.find((s) => containsCidr(parseCidr(s.cidr), parseCidr(address)))
      : subnets[0];
    if (!subnet) throw new ValidationError(`address ${address} is outside pool ${req.PoolID}`);
    const len = parseCidr(subnet.cidr).prefixLen;
    const mac = typeof opts[MAC_OPTION] === 'string' ? opts[MAC_OPTION] : undefined;
    const port = await this.ports.portFor(subnet, address, mac);
    const ip = port.fixed_ips.find((f) => f.subnet_id === subnet.id)?.ip_address;
    if (!ip) throw new ConflictError(`port ${port.id} got no address in subnet ${subnet.id}`);
    return { Address: `${ip}/${len}`, Data: {} };
  }

  private async poolCidr(poolId: string): Promise<string> {
    const known = this.pools.get(poolId);
    if (known) return known.cidr;
    const p = parsePoolId(poolId);
    if (p.cidr) return p.cidr;
    const sp = await this.neutron.get('subnetpools', p.subnetpoolId);
    const cidr = sp.prefixes[0];
    if (!cidr) throw new ConflictError(`subnetpool ${sp.id} has no prefix`);
    this.pools.set(poolId, { cidr, subnetpool: sp });
    return cidr;
  }

  private async gateway(poolId: string, address: string): Promise<Record<string, unknown>> {
    const known = this.pools.get(poolId);
    const cidr = parseCidr(known?.cidr ?? (await this.poolCidr(poolId)));
    const ip = address || known?.gateway || firstHost(cidr);
    return { Address: `${ip}/${cidr.prefixLen}`, Data: {} };
  }

  /** `IpamDriver.ReleaseAddress` (plain IP, no prefix length — A.7 #2). NotFound is success. */
  async releaseAddress(poolId: string, address: string): Promise<void> {
    ipToBig(address);
    const subnets = await this.subnetsOf(poolId);
    const subnet = subnets.find((s) => containsCidr(parseCidr(s.cidr), parseCidr(address)));
    if (!subnet || subnet.gateway_ip === address) return;
    const hint = this.lookup.addressHint(subnet.id, address);
    const ports = hint
      ? [hint.port]
      : await this.neutron.list('ports', {
          network_id: subnet.network_id,
          fixed_ips: [`ip_address=${address}`, `subnet_id=${subnet.id}`],
        });
    for (const port of ports) {
      this.lookup.forgetAddresses(port);
      if (hint && (await this.ports.recycle(subnet, port))) continue;
      await releasePort(this.neutron, port, hint?.adopted ?? port.tags.includes(TAG_PORT_EXISTING));
    }
  }

  /** `IpamDriver.ReleasePool`: deletes what kuryr made, untags what it adopted. NotFound is success. */
  async releasePool(poolId: string): Promise<void> {
    const p = parsePoolId(poolId);
    this.pools.delete(poolId);
    // the gateway ReleaseAddress just before usually listed them: a kuryrPool holds exactly its own subnet
    const cached = this.subnetsByPool.get(poolId);
    this.subnetsByPool.delete(poolId);
    // A block of a shared pool: its subnet goes with DeleteNetwork; the shared pool stays.
    if (p.cidr) return;
    await releaseSubnetpool(
      { neutron: this.neutron, options: this.options, log: this.log, portPool: this.portPool },
      p.subnetpoolId,
      cached,
    );
  }
}
