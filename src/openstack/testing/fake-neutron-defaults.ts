/**
 * @module The server-side defaults the in-memory Neutron (fake-neutron.ts) fills into a new object, and
 * its address allocator: what a real Neutron would return for the same POST, closely enough for tests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { BadRequest, IpAddressGenerationFailure, NotFound } from '../http/errors.js';

type Obj = Record<string, unknown> & { id: string; tags: string[] };
type Lookup = (collection: string) => Map<string, Obj>;

/** Builds a stored object from a POST body: standard attributes + per-resource defaults + input. */
export function freshObject(
  coll: string,
  input: Record<string, unknown>,
  projectId: string,
  lookup: Lookup,
): Obj {
  const now = new Date().toISOString();
  const base: Obj = {
    id: randomUUID(),
    tags: [],
    description: '',
    project_id: projectId,
    tenant_id: projectId,
    revision_number: 1,
    created_at: now,
    updated_at: now,
  };
  // NOTE: like Neutron Zed, `tags` in a POST body are ignored (COMPATIBILITY.md §1).
  const { tags: _ignored, ...body } = input;
  const obj = { ...base, ...defaults(coll), ...body, id: base.id, tags: [] } as Obj;
  if (coll === 'subnets') subnetDefaults(obj, lookup);
  if (coll === 'ports') portDefaults(obj, lookup);
  if (coll === 'floatingips') obj['floating_ip_address'] ??= `203.0.113.${1 + lookup(coll).size}`;
  return obj;
}

function defaults(coll: string): Record<string, unknown> {
  switch (coll) {
    case 'networks':
      return {
        name: '',
        admin_state_up: true,
        status: 'ACTIVE',
        shared: false,
        subnets: [],
        mtu: 1450,
        'router:external': false,
        port_security_enabled: true,
      };
    case 'subnets':
      return {
        name: '',
        enable_dhcp: true,
        dns_nameservers: [],
        host_routes: [],
        subnetpool_id: null,
        ipv6_address_mode: null,
        ipv6_ra_mode: null,
      };
    case 'subnetpools':
      return {
        name: '',
        shared: false,
        is_default: false,
        default_quota: null,
        address_scope_id: null,
        min_prefixlen: 8,
        max_prefixlen: 32,
      };
    case 'ports':
      return {
        name: '',
        admin_state_up: true,
        status: 'DOWN',
        device_id: '',
        device_owner: '',
        security_groups: [],
        allowed_address_pairs: [],
        port_security_enabled: true,
        'binding:host_id': '',
        'binding:vif_type': 'unbound',
        'binding:vif_details': {},
        'binding:vnic_type': 'normal',
        'binding:profile': {},
      };
    case 'security-groups':
      return { name: '', security_group_rules: [], stateful: true };
    case 'security-group-rules':
      return {
        protocol: null,
        port_range_min: null,
        port_range_max: null,
        remote_ip_prefix: null,
        remote_group_id: null,
        ethertype: 'IPv4',
      };
    case 'trunks':
      return { name: '', admin_state_up: true, status: 'DOWN', sub_ports: [] };
    case 'routers':
      return {
        name: '',
        admin_state_up: true,
        status: 'ACTIVE',
        external_gateway_info: null,
        routes: [],
      };
    case 'floatingips':
      return { router_id: null, port_id: null, fixed_ip_address: null, status: 'DOWN' };
    default:
      return {};
  }
}

function subnetDefaults(s: Obj, lookup: Lookup): void {
  if (s['cidr'] === undefined && typeof s['subnetpool_id'] === 'string') {
    s['cidr'] = allocateFromPool(s['subnetpool_id'], s['prefixlen'] as number | undefined, lookup);
    delete s['prefixlen'];
  }
  const cidr = s['cidr'];
  if (typeof cidr !== 'string')
    throw new BadRequest('fake Neutron needs a cidr or a subnetpool_id');
  s['ip_version'] ??= cidr.includes(':') ? 6 : 4;
  s['gateway_ip'] ??= hostAddress(cidr, 1);
  s['allocation_pools'] ??= [{ start: hostAddress(cidr, 2), end: hostAddress(cidr, 254) }];
}

function portDefaults(p: Obj, lookup: Lookup): void {
  const netId = String(p['network_id']);
  if (!lookup('networks').has(netId)) throw new NotFound(`Network ${netId} could not be found.`);
  p['mac_address'] ??=
    `fa:16:3e:${randomBytes(3).toString('hex').match(/../g)?.join(':') ?? '00:00:00'}`;
  const subnets = lookup('subnets');
  const wanted: { subnet_id?: string; ip_address?: string }[] =
    (p['fixed_ips'] as { subnet_id?: string; ip_address?: string }[] | undefined) ??
    [...subnets.values()]
      .filter((s) => s['network_id'] === netId)
      .map((s) => ({ subnet_id: s.id }));
  const used = new Set(
    [...lookup('ports').values()].flatMap((o) =>
      (o['fixed_ips'] as { ip_address: string }[]).map((f) => f.ip_address),
    ),
  );
  p['fixed_ips'] = wanted.map((w) => {
    const subnet =
      w.subnet_id !== undefined
        ? subnets.get(w.subnet_id)
        : [...subnets.values()].find((s) => s['network_id'] === netId);
    if (subnet === undefined)
      throw new NotFound(`Subnet ${w.subnet_id ?? '?'} could not be found.`);
    if (w.ip_address !== undefined) return { subnet_id: subnet.id, ip_address: w.ip_address };
    for (let i = 2; i < 255; i++) {
      const ip = hostAddress(String(subnet['cidr']), i);
      if (!used.has(ip)) return (used.add(ip), { subnet_id: subnet.id, ip_address: ip });
    }
    throw new IpAddressGenerationFailure(`No more IP addresses available on network ${netId}.`);
  });
}

/** The first free IPv4 block of `prefixlen` (default: the pool's) in the pool's first prefix. */
function allocateFromPool(poolId: string, prefixlen: number | undefined, lookup: Lookup): string {
  const pool = lookup('subnetpools').get(poolId);
  if (pool === undefined) throw new NotFound(`Subnet pool ${poolId} could not be found.`);
  const [base = '', lenText = '32'] = String((pool['prefixes'] as string[])[0]).split('/');
  const len = prefixlen ?? Number(pool['default_prefixlen'] ?? lenText);
  const ranges = [...lookup('subnets').values()]
    .filter((s) => s['subnetpool_id'] === poolId)
    .map((s) => range(String(s['cidr'])));
  const size = 2 ** (32 - len);
  const first = range(`${base}/${lenText}`)[0];
  for (let i = 0; i < 2 ** (len - Number(lenText)); i++) {
    const lo = first + i * size;
    const hi = lo + size - 1;
    if (!ranges.some(([a, b]) => lo <= b && a <= hi))
      return `${hostAddress(`${base}/32`, lo - first)}/${len}`;
  }
  throw new BadRequest(`Insufficient prefix space to allocate subnet size /${len}.`);
}

/** First and last address of an IPv4 CIDR as numbers. */
function range(cidr: string): [number, number] {
  const [addr = '', len = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const lo = n - (n % size);
  return [lo, lo + size - 1];
}

/** The n-th address of a CIDR (IPv4: last octets added; IPv6: hex suffix on the prefix). */
export function hostAddress(cidr: string, n: number): string {
  const [addr = ''] = cidr.split('/');
  if (isIPv4(addr)) {
    const v = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + n;
    return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
  }
  return `${addr.replace(/::$/, '')}::${n.toString(16)}`;
}
