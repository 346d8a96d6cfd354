/**
 * @module An in-memory Neutron v2.0 behind the `ServiceClient` interface, for unit tests of anything that
 * talks to Neutron (inject it where a real `session.client('network')` would go). It keeps objects per
 * collection and implements what Kuryr uses: CRUD (single + bulk POST), field/tag/`fixed_ips` filters,
 * `fields`, limit/marker paging with `*_links`, the tag API, trunk subports, extensions, and IPv4/IPv6
 * address allocation. It is deliberately not a full Neutron: unknown paths answer 404.
 */
import { randomUUID } from 'node:crypto';
import type { ApiRequest, ApiResponse, QueryValue, ServiceClient } from '../http/types.js';
import { BadRequest, IpAddressAlreadyAllocated, NetworkInUse, NotFound } from '../http/errors.js';
import { freshObject } from './fake-neutron-defaults.js';

type Obj = Record<string, unknown> & { id: string; tags: string[] };

/** Body key of one object per collection path segment. */
const SINGULAR: Readonly<Record<string, string>> = {
  networks: 'network',
  subnets: 'subnet',
  subnetpools: 'subnetpool',
  ports: 'port',
  'security-groups': 'security_group',
  'security-group-rules': 'security_group_rule',
  trunks: 'trunk',
  routers: 'router',
  floatingips: 'floatingip',
};

/** Query keys that are not field filters. */
const NON_FILTERS = new Set(['limit', 'marker', 'fields', 'sort_key', 'sort_dir', 'page_reverse']);

/** Extensions a Zed neutron-server with ML2 + trunk + router advertises (the ones Kuryr checks). */
export const DEFAULT_FAKE_EXTENSIONS: readonly string[] = [
  'standard-attr-tag',
  'subnet_allocation',
  'binding',
  'trunk',
  'allowed-address-pairs',
  'security-group',
  'router',
  'quotas',
  'port-security',
];

/** The in-memory Neutron. Every request is recorded in `requests` (count them to assert request budgets). */
export class FakeNeutron implements ServiceClient {
  readonly serviceType = 'network';
  readonly requests: ApiRequest[] = [];
  /** Aliases returned by `/v2.0/extensions`. */
  extensions: string[] = [...DEFAULT_FAKE_EXTENSIONS];
  /** Called before each request; return an error to make that request fail (fault injection). */
  failWith: ((req: ApiRequest) => Error | undefined) | undefined;
  private readonly store = new Map<string, Map<string, Obj>>();

  constructor(readonly projectId = 'fake-project') {}

  /** All objects of a collection (e.g. `ports`), for assertions. */
  all(collection: string): Obj[] {
    return [...this.coll(collection).values()];
  }

  /** Inserts an object directly (test setup without counting a request). */
  seed(collection: string, body: Record<string, unknown>): Obj {
    const obj = freshObject(collection, body, this.projectId, (c) => this.coll(c));
    this.coll(collection).set(obj.id, obj);
    return obj;
  }

  endpoint(): Promise<string> {
    return Promise.resolve('http://fake-neutron');
  }

  request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    this.requests.push(req);
    try {
      req.signal?.throwIfAborted();
      const injected = this.failWith?.(req);
      if (injected !== undefined) throw injected;
      const [status, body] = this.route(req);
      return Promise.resolve({
        status,
        body: body as T,
        headers: {},
        requestId: `req-${randomUUID()}`,
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private coll(name: string): Map<string, Obj> {
    let c = this.store.get(name);
    if (c === undefined) {
      c = new Map<string, Obj>();
      this.store.set(name, c);
    }
    return c;
  }

  private find(collection: string, id: string): Obj {
    const obj = this.coll(collection).get(id);
    if (obj === undefined) {
      throw new NotFound(`${SINGULAR[collection] ?? collection} ${id} could not be found.`, {
        status: 404,
      });
    }
    return obj;
  }

  private route(req: ApiRequest): [number, unknown] {
    const path = new URL(req.path, 'http://fake-neutron').pathname;
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (seg[0] !== 'v2.0') throw new NotFound(`no route ${path}`);
    const [, coll = '', id, sub, tag] = seg;
    if (coll === 'extensions' && req.method === 'GET') {
      return [200, { extensions: this.extensions.map((alias) => ({ alias, name: alias })) }];
    }
    const singular = SINGULAR[coll];
    if (singular === undefined) throw new NotFound(`no route ${path}`);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (id === undefined) {
      if (req.method === 'GET') return [200, this.list(coll, req.query ?? {})];
      if (req.method === 'POST') {
        const plural = coll.replace(/-/g, '_');
        if (Array.isArray(body[plural])) {
          const items = (body[plural] as Record<string, unknown>[]).map((b) =>
            this.create(coll, b),
          );
          return [201, { [plural]: items }];
        }
        return [201, { [singular]: this.create(coll, body[singular] as Record<string, unknown>) }];
      }
    } else if (sub === undefined) {
      const obj = this.find(coll, id);
      if (req.method === 'GET') return [200, { [singular]: obj }];
      if (req.method === 'PUT') {
        Object.assign(obj, body[singular]);
        obj['revision_number'] = Number(obj['revision_number']) + 1;
        return [200, { [singular]: obj }];
      }
      if (req.method === 'DELETE') return this.delete(coll, obj);
    } else if (sub === 'tags') {
      const obj = this.find(coll, id);
      if (tag === undefined && req.method === 'PUT') {
        obj.tags = [...new Set((body['tags'] as string[]) ?? [])];
        return [200, { tags: obj.tags }];
      }
      if (tag === undefined && req.method === 'DELETE') return [204, ((obj.tags = []), undefined)];
      if (tag !== undefined && req.method === 'PUT') {
        if (!obj.tags.includes(tag)) obj.tags.push(tag);
        return [201, undefined];
      }
      if (tag !== undefined && req.method === 'DELETE') {
        if (!obj.tags.includes(tag)) throw new NotFound(`Tag ${tag} could not be found.`);
        obj.tags = obj.tags.filter((t) => t !== tag);
        return [204, undefined];
      }
    } else if (coll === 'trunks') {
      return this.subports(this.find(coll, id), sub, req.method, body);
    }
    throw new NotFound(`no route ${req.method} ${path}`);
  }

  private create(coll: string, input: Record<string, unknown> | undefined): Obj {
    if (input === undefined) throw new BadRequest('Resource body required');
    const obj = freshObject(coll, input, this.projectId, (c) => this.coll(c));
    if (coll === 'ports') this.checkIps(obj);
    this.coll(coll).set(obj.id, obj);
    if (coll === 'subnets') {
      const net = this.find('networks', String(obj['network_id']));
      (net['subnets'] as string[]).push(obj.id);
    }
    return obj;
  }

  private checkIps(port: Obj): void {
    for (const other of this.coll('ports').values()) {
      for (const a of other['fixed_ips'] as { ip_address: string; subnet_id: string }[]) {
        for (const b of port['fixed_ips'] as { ip_address: string; subnet_id: string }[]) {
          if (a.subnet_id === b.subnet_id && a.ip_address === b.ip_address) {
            throw new IpAddressAlreadyAllocated(
              `IP address ${a.ip_address} already allocated in subnet ${a.subnet_id}`,
              { status: 409, type: 'IpAddressAlreadyAllocated' },
            );
          }
        }
      }
    }
  }

  private delete(coll: string, obj: Obj): [number, unknown] {
    if (coll === 'networks') {
      const ports = this.all('ports').filter((p) => p['network_id'] === obj.id);
      if (ports.some((p) => !String(p['device_owner']).startsWith('network:'))) {
        throw new NetworkInUse(`Unable to complete operation on network ${obj.id}.`, {
          status: 409,
          type: 'NetworkInUse',
        });
      }
      for (const s of obj['subnets'] as string[]) this.coll('subnets').delete(s);
      for (const p of ports) this.coll('ports').delete(p.id);
    }
    if (coll === 'subnets') {
      const net = this.coll('networks').get(String(obj['network_id']));
      if (net !== undefined)
        net['subnets'] = (net['subnets'] as string[]).filter((s) => s !== obj.id);
    }
    this.coll(coll).delete(obj.id);
    return [204, undefined];
  }

  private subports(
    trunk: Obj,
    op: string,
    method: string,
    body: Record<string, unknown>,
  ): [number, unknown] {
    const current = trunk['sub_ports'] as { port_id: string }[];
    const given = (body['sub_ports'] ?? []) as { port_id: string }[];
    if (op === 'get_subports' && method === 'GET') return [200, { sub_ports: current }];
    if (op === 'add_subports' && method === 'PUT') trunk['sub_ports'] = [...current, ...given];
    else if (op === 'remove_subports' && method === 'PUT') {
      const gone = new Set(given.map((s) => s.port_id));
      // like Neutron: removing a port that is not a subport of this trunk is a 404
      const missing = [...gone].find((id) => !current.some((s) => s.port_id === id));
      if (missing !== undefined) throw new NotFound(`SubPort ${missing} not found on the trunk`);
      trunk['sub_ports'] = current.filter((s) => !gone.has(s.port_id));
    } else throw new NotFound(`no route ${method} trunks/${op}`);
    return [200, trunk];
  }

  private list(coll: string, query: Record<string, QueryValue>): unknown {
    const plural = coll.replace(/-/g, '_');
    let items = [...this.coll(coll).values()].filter((o) => matches(o, query));
    items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const marker = query['marker'];
    if (marker !== undefined) items = items.filter((o) => o.id > String(marker));
    const limit = query['limit'] === undefined ? undefined : Number(query['limit']);
    const links: { rel: string; href: string }[] = [];
    if (limit !== undefined && items.length > limit) {
      items = items.slice(0, limit);
      const next = new URL(`http://fake-neutron/v2.0/${coll}`);
      next.searchParams.set('limit', String(limit));
      next.searchParams.set('marker', items[items.length - 1]?.id ?? '');
      links.push({ rel: 'next', href: next.href });
    }
    const fields = toList(query['fields']);
    const out = fields.length === 0 ? items : items.map((o) => pick(o, fields));
    return { [plural]: out, [`${plural}_links`]: links };
  }
}

function toList(v: QueryValue): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function pick(o: Obj, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f in o).map((f) => [f, o[f]]));
}

/** Neutron's filter semantics for the subset Kuryr uses. */
function matches(o: Obj, query: Record<string, QueryValue>): boolean {
  for (const [key, value] of Object.entries(query)) {
    if (NON_FILTERS.has(key) || value === undefined) continue;
    const wanted = toList(value);
    const csv = wanted.flatMap((w) => w.split(','));
    if (key === 'tags' && !csv.every((t) => o.tags.includes(t))) return false;
    if (key === 'tags-any' && !csv.some((t) => o.tags.includes(t))) return false;
    if (key === 'not-tags' && csv.every((t) => o.tags.includes(t))) return false;
    if (key === 'not-tags-any' && csv.some((t) => o.tags.includes(t))) return false;
    if (key.includes('tags')) continue;
    if (key === 'fixed_ips') {
      const ips = o['fixed_ips'] as Record<string, string>[];
      const ok = wanted.every((w) => {
        const [k = '', v = ''] = w.split('=');
        return ips.some((ip) => ip[k] === v);
      });
      if (!ok) return false;
      continue;
    }
    const actual = o[key];
    const text =
      typeof actual === 'object' && actual !== null
        ? JSON.stringify(actual)
        : String((actual as string | number | boolean | null | undefined) ?? '');
    if (!wanted.includes(text)) return false;
  }
  return true;
}
