/**
 * dockerd's libnetwork call sequences, replayed against the in-process plugin of a {@link Bed}: network
 * create and remove (IPAM pools, gateway, CreateNetwork / DeleteNetwork) and container attach and detach
 * (RequestAddress, CreateEndpoint, Join / Revoke, Leave, DeleteEndpoint, ReleaseAddress).
 *
 * @module test/integration/libnetwork/docker-calls
 */
import { randomBytes } from 'node:crypto';
import type { Bed } from './harness.js';

/** A random 64-hex Docker ID. */
export const dockerId = (): string => randomBytes(32).toString('hex');

/** dockerd's network-create sequence: RequestPool, gateway RequestAddress, CreateNetwork (per family). */
export async function createDockerNetwork(
  bed: Bed,
  opts: {
    v4?:
      { pool?: string; subPool?: string; gateway?: string; aux?: Record<string, string> } | false;
    v6?: { pool?: string; gateway?: string };
    generic?: Record<string, string>;
    ipamOpts?: Record<string, string>;
  } = {},
): Promise<{
  networkId: string;
  pools: { poolId: string; pool: string; gateway: string }[];
  reply: { status: number; body: Record<string, unknown> };
}> {
  const networkId = dockerId();
  bed.networks.add(networkId);
  const pools: { poolId: string; pool: string; gateway: string }[] = [];
  const data: Record<'4' | '6', unknown[]> = { '4': [], '6': [] };
  const families: [
    '4' | '6',
    { pool?: string; subPool?: string; gateway?: string; aux?: Record<string, string> },
  ][] = [];
  if (opts.v4 !== false) families.push(['4', opts.v4 ?? {}]);
  if (opts.v6) families.push(['6', opts.v6]);
  for (const [fam, f] of families) {
    const rp = await bed.call('/IpamDriver.RequestPool', {
      AddressSpace: 'no_address_space',
      Pool: f.pool ?? '',
      SubPool: f.subPool ?? '',
      Options: opts.ipamOpts ?? {},
      V6: fam === '6',
    });
    if (rp.status !== 200) throw new Error(`RequestPool: ${JSON.stringify(rp.body)}`);
    const poolId = String(rp.body.PoolID);
    const pool = String(rp.body.Pool);
    let gateway = (rp.body.Data as Record<string, string>)['com.docker.network.gateway'] ?? '';
    if (f.gateway || !gateway) {
      const ga = await bed.call('/IpamDriver.RequestAddress', {
        PoolID: poolId,
        Address: f.gateway ?? '',
        Options: { RequestAddressType: 'com.docker.network.gateway' },
      });
      if (ga.status !== 200) throw new Error(`gateway RequestAddress: ${JSON.stringify(ga.body)}`);
      gateway = String(ga.body.Address);
    }
    const aux: Record<string, string> = {};
    for (const [k, ip] of Object.entries(f.aux ?? {})) {
      const ra = await bed.call('/IpamDriver.RequestAddress', {
        PoolID: poolId,
        Address: ip,
        Options: null,
      });
      if (ra.status !== 200) throw new Error(`aux RequestAddress: ${JSON.stringify(ra.body)}`);
      aux[k] = String(ra.body.Address);
    }
    pools.push({ poolId, pool, gateway });
    data[fam].push({
      AddressSpace: 'no_address_space',
      Pool: pool,
      Gateway: gateway,
      ...(f.aux ? { AuxAddresses: aux } : {}),
    });
  }
  const reply = await bed.call('/NetworkDriver.CreateNetwork', {
    NetworkID: networkId,
    Options: {
      'com.docker.network.enable_ipv6': !!opts.v6,
      'com.docker.network.generic': opts.generic ?? {},
    },
    IPv4Data: data['4'],
    IPv6Data: data['6'],
  });
  return { networkId, pools, reply };
}

/** dockerd's `network rm` sequence: per pool gateway ReleaseAddress + ReleasePool, then DeleteNetwork. */
export async function removeDockerNetwork(
  bed: Bed,
  net: { networkId: string; pools: { poolId: string; gateway: string }[] },
): Promise<number[]> {
  const statuses: number[] = [];
  for (const p of net.pools) {
    statuses.push(
      (
        await bed.call('/IpamDriver.ReleaseAddress', {
          PoolID: p.poolId,
          Address: p.gateway.split('/')[0],
        })
      ).status,
    );
    statuses.push((await bed.call('/IpamDriver.ReleasePool', { PoolID: p.poolId })).status);
  }
  statuses.push(
    (await bed.call('/NetworkDriver.DeleteNetwork', { NetworkID: net.networkId })).status,
  );
  return statuses;
}

/** dockerd's attach sequence: RequestAddress (per pool), CreateEndpoint, Join. */
export async function attach(
  bed: Bed,
  net: { networkId: string; pools: { poolId: string }[] },
  opts: {
    ip?: string;
    mac?: string;
    /**
     * RequiresMACAddress=false (port pool): RequestAddress carries no MAC; CreateEndpoint carries `mac` only when
     * given (the user's `--mac-address`), else the reply's MAC is used.
     */
    noIpamMac?: boolean;
    exposed?: { Proto: number; Port: number }[];
  } = {},
) {
  const endpointId = dockerId();
  const random = `fa:16:3e:${randomBytes(3).toString('hex').match(/../g)?.join(':')}`;
  let mac = opts.mac ?? (opts.noIpamMac ? '' : random);
  const addresses: { poolId: string; address: string }[] = [];
  for (const [i, p] of net.pools.entries()) {
    const r = await bed.call('/IpamDriver.RequestAddress', {
      PoolID: p.poolId,
      Address: i === 0 ? (opts.ip ?? '') : '',
      Options: opts.noIpamMac ? null : { 'com.docker.network.endpoint.macaddress': mac },
    });
    if (r.status !== 200) throw new Error(`RequestAddress: ${JSON.stringify(r.body)}`);
    addresses.push({ poolId: p.poolId, address: String(r.body.Address) });
  }
  const v4 = addresses.find((a) => !a.address.includes(':'))?.address ?? '';
  const v6 = addresses.find((a) => a.address.includes(':'))?.address ?? '';
  const ce = await bed.call('/NetworkDriver.CreateEndpoint', {
    NetworkID: net.networkId,
    EndpointID: endpointId,
    Interface: { Address: v4, AddressIPv6: v6, MacAddress: mac },
    Options: opts.exposed ? { 'com.docker.network.endpoint.exposedports': opts.exposed } : {},
  });
  const replied = (ce.body.Interface as { MacAddress?: string } | undefined)?.MacAddress;
  if (!mac && replied) mac = replied;
  const join =
    ce.status === 200
      ? await bed.call('/NetworkDriver.Join', {
          NetworkID: net.networkId,
          EndpointID: endpointId,
          SandboxKey: '/var/run/docker/netns/0123456789ab',
          Options: {},
        })
      : undefined;
  return { endpointId, mac, addresses, createEndpoint: ce, join };
}

/** dockerd's detach sequence: Revoke, Leave, DeleteEndpoint, ReleaseAddress (per address). */
export async function detach(
  bed: Bed,
  networkId: string,
  ep: { endpointId: string; addresses: { poolId: string; address: string }[] },
): Promise<number[]> {
  const ids = { NetworkID: networkId, EndpointID: ep.endpointId };
  const s = [
    (await bed.call('/NetworkDriver.RevokeExternalConnectivity', ids)).status,
    (await bed.call('/NetworkDriver.Leave', ids)).status,
    (await bed.call('/NetworkDriver.DeleteEndpoint', ids)).status,
  ];
  for (const a of ep.addresses) {
    s.push(
      (
        await bed.call('/IpamDriver.ReleaseAddress', {
          PoolID: a.poolId,
          Address: a.address.split('/')[0],
        })
      ).status,
    );
  }
  return s;
}
