/**
 * @module An in-memory Octavia v2 behind the `ServiceClient` interface, for unit tests of the LBaaS
 * driver and handler. It models what makes Octavia awkward: every change puts the load balancer in
 * `PENDING_*` for `settlePolls` reads (changes meanwhile are 409 Immutable), duplicate listeners
 * (protocol + port) and members (address + port) are 409, a listener holds one default pool, cascade
 * delete, the status tree, and the version document (`maxVersion`). Unknown paths answer 404. Object
 * shapes, list filters and the status tree: fake-octavia-objects.ts.
 */
import { randomUUID } from 'node:crypto';
import type { ApiRequest, ApiResponse, QueryValue, ServiceClient } from '../http/types.js';
import { BadRequest, Conflict, Immutable, NotFound } from '../http/errors.js';
import { lbOf, list, newObject, statusTree, type Obj } from './fake-octavia-objects.js';

const COLLECTIONS: Readonly<Record<string, string>> = {
  loadbalancers: 'loadbalancer',
  listeners: 'listener',
  pools: 'pool',
};

/** The in-memory Octavia. `requests` records every call. */
export class FakeOctavia implements ServiceClient {
  readonly serviceType = 'load-balancer';
  readonly requests: ApiRequest[] = [];
  /** Highest API minor version of the version document (`v2.<maxMinor>`). */
  maxMinor = 26;
  /** Reads of a load balancer before a `PENDING_*` state settles. */
  settlePolls = 1;
  /** Called before each request; return an error to make that request fail. */
  failWith: ((req: ApiRequest) => Error | undefined) | undefined;
  readonly lbs = new Map<string, Obj>();
  readonly listeners = new Map<string, Obj>();
  readonly pools = new Map<string, Obj>();
  readonly members = new Map<string, Obj>();
  private readonly pending = new Map<string, number>();

  endpoint(): Promise<string> {
    return Promise.resolve('http://fake-octavia');
  }

  /** Puts a load balancer in a state (e.g. `ERROR`) without a request. */
  setStatus(lbId: string, status: string): void {
    const lb = this.lbs.get(lbId);
    if (lb) lb['provisioning_status'] = status;
    this.pending.delete(lbId);
  }

  /** Deletes a load balancer and its children "behind kuryr's back". */
  vanish(lbId: string): void {
    this.cascade(lbId);
  }

  /** Mutating requests (POST/PUT/DELETE), as `METHOD path` lines. */
  mutations(): string[] {
    return this.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  }

  request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    this.requests.push(req);
    try {
      req.signal?.throwIfAborted();
      const injected = this.failWith?.(req);
      if (injected !== undefined) throw injected;
      const [status, body] = this.route(req);
      return Promise.resolve({ status, body: body as T, headers: {}, requestId: 'req-fake' });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private route(req: ApiRequest): [number, unknown] {
    const path = new URL(req.path, 'http://fake-octavia').pathname;
    if (path === '/' && req.method === 'GET') {
      const versions = Array.from({ length: this.maxMinor + 1 }, (_, i) => ({
        id: `v2.${i}`,
        status: i === this.maxMinor ? 'CURRENT' : 'SUPPORTED',
      }));
      return [200, { versions }];
    }
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (seg[0] !== 'v2' || seg[1] !== 'lbaas') throw new NotFound(`no route ${path}`);
    const [, , coll = '', id, sub, memberId] = seg;
    const body = (req.body ?? {}) as Record<string, Record<string, unknown> | undefined>;
    if (coll === 'pools' && id !== undefined && sub === 'members') {
      return this.routeMembers(req, id, memberId, body['member']);
    }
    const singular = COLLECTIONS[coll];
    if (singular === undefined) throw new NotFound(`no route ${path}`);
    const store = this.store(coll);
    if (id === undefined) {
      if (req.method === 'GET') return [200, { [coll]: list(store, req.query ?? {}) }];
      if (req.method === 'POST') return [201, { [singular]: this.create(coll, body[singular]) }];
    } else if (coll === 'loadbalancers' && sub === 'status' && req.method === 'GET') {
      return [
        200,
        {
          statuses: {
            loadbalancer: statusTree(this.readLb(id), this.listeners, this.pools, this.members),
          },
        },
      ];
    } else if (sub === undefined) {
      const obj = coll === 'loadbalancers' ? this.readLb(id, req.method === 'GET') : store.get(id);
      if (obj === undefined) throw new NotFound(`${singular} ${id} not found`);
      if (req.method === 'GET') return [200, { [singular]: obj }];
      if (req.method === 'PUT') {
        this.touch(lbOf(coll, obj), 'PENDING_UPDATE');
        Object.assign(obj, body[singular]);
        return [200, { [singular]: obj }];
      }
      if (req.method === 'DELETE') return this.remove(coll, obj, req.query ?? {});
    }
    throw new NotFound(`no route ${req.method} ${path}`);
  }

  private store(coll: string): Map<string, Obj> {
    if (coll === 'loadbalancers') return this.lbs;
    if (coll === 'listeners') return this.listeners;
    if (coll === 'pools') return this.pools;
    return this.members;
  }

  /** A GET of an LB advances its pending state. */
  private readLb(id: string, advance = true): Obj {
    const lb = this.lbs.get(id);
    if (lb === undefined) throw new NotFound(`Load Balancer ${id} not found.`);
    const left = this.pending.get(id);
    if (advance && left !== undefined) {
      if (left > 1) this.pending.set(id, left - 1);
      else {
        this.pending.delete(id);
        if (lb['provisioning_status'] === 'PENDING_DELETE') {
          this.cascade(id);
          throw new NotFound(`Load Balancer ${id} not found.`);
        }
        lb['provisioning_status'] = 'ACTIVE';
      }
    }
    return lb;
  }

  /** Refuses a change on a busy LB, else makes it busy. */
  private touch(lbId: string, state: string): void {
    const lb = this.lbs.get(lbId);
    if (lb === undefined) throw new NotFound(`Load Balancer ${lbId} not found.`);
    if (String(lb['provisioning_status']).startsWith('PENDING')) {
      throw new Immutable(`Load Balancer ${lbId} is immutable and cannot be updated.`, {
        status: 409,
      });
    }
    lb['provisioning_status'] = state;
    this.pending.set(lbId, this.settlePolls);
  }

  private create(coll: string, input: Record<string, unknown> | undefined): Obj {
    if (input === undefined) throw new BadRequest('body required');
    if (coll === 'loadbalancers') {
      const lb = newObject(input);
      Object.assign(lb, {
        vip_address: input['vip_address'] ?? '198.51.100.7',
        vip_port_id: input['vip_port_id'] ?? randomUUID(),
        vip_network_id: randomUUID(),
        provider: input['provider'] ?? 'amphora',
        listeners: [],
        pools: [],
      });
      this.lbs.set(lb.id, lb);
      this.pending.set(lb.id, this.settlePolls);
      return lb;
    }
    if (coll === 'listeners') {
      const lbId = String(input['loadbalancer_id']);
      const dup = [...this.listeners.values()].some(
        (l) =>
          lbOf('listeners', l) === lbId &&
          l['protocol'] === input['protocol'] &&
          l['protocol_port'] === input['protocol_port'],
      );
      if (dup)
        throw new Conflict('Another Listener on this Load Balancer is already using protocol_port');
      this.touch(lbId, 'PENDING_UPDATE');
      const l = newObject(input);
      Object.assign(l, { loadbalancers: [{ id: lbId }], default_pool_id: null });
      delete l['loadbalancer_id'];
      this.listeners.set(l.id, l);
      return l;
    }
    const listener = this.listeners.get(String(input['listener_id']));
    if (listener === undefined) throw new NotFound('listener not found');
    const lbId = lbOf('listeners', listener);
    if (listener['default_pool_id']) throw new Conflict('Listener already has a default pool');
    this.touch(lbId, 'PENDING_UPDATE');
    const p = newObject(input);
    Object.assign(p, {
      loadbalancers: [{ id: lbId }],
      listeners: [{ id: listener.id }],
      members: [],
    });
    delete p['listener_id'];
    listener['default_pool_id'] = p.id;
    this.pools.set(p.id, p);
    return p;
  }

  private remove(coll: string, obj: Obj, query: Record<string, QueryValue>): [number, unknown] {
    if (coll === 'loadbalancers') {
      const children = [...this.listeners.values(), ...this.pools.values()].some(
        (c) => lbOf('x', c) === obj.id,
      );
      if (children && String(query['cascade']) !== 'true') throw new BadRequest('LB has children');
      this.touch(obj.id, 'PENDING_DELETE');
      return [204, undefined];
    }
    this.touch(lbOf(coll, obj), 'PENDING_UPDATE');
    if (coll === 'listeners') this.listeners.delete(obj.id);
    if (coll === 'pools') {
      for (const [id, m] of this.members) if (m['pool_id'] === obj.id) this.members.delete(id);
      for (const l of this.listeners.values()) {
        if (l['default_pool_id'] === obj.id) l['default_pool_id'] = null;
      }
      this.pools.delete(obj.id);
    }
    return [204, undefined];
  }

  private routeMembers(
    req: ApiRequest,
    poolId: string,
    memberId: string | undefined,
    input: Record<string, unknown> | undefined,
  ): [number, unknown] {
    const pool = this.pools.get(poolId);
    if (pool === undefined) throw new NotFound(`Pool ${poolId} not found.`);
    const lbId = lbOf('pools', pool);
    const mine = [...this.members.values()].filter((m) => m['pool_id'] === poolId);
    if (memberId === undefined && req.method === 'GET') {
      return [200, { members: list(new Map(mine.map((m) => [m.id, m])), req.query ?? {}) }];
    }
    if (memberId === undefined && req.method === 'PUT') {
      // Batch update: the pool's members become exactly the given ones (same address + port kept).
      const given = ((req.body ?? {}) as { members?: Record<string, unknown>[] }).members ?? [];
      this.touch(lbId, 'PENDING_UPDATE');
      const same = (m: Obj, g: Record<string, unknown>) =>
        m['address'] === g['address'] && m['protocol_port'] === g['protocol_port'];
      for (const m of mine) if (!given.some((g) => same(m, g))) this.members.delete(m.id);
      for (const g of given) {
        if (mine.some((m) => same(m, g))) continue;
        const m = newObject(g);
        m['pool_id'] = poolId;
        this.members.set(m.id, m);
      }
      return [202, undefined];
    }
    if (memberId === undefined && req.method === 'POST') {
      if (input === undefined) throw new BadRequest('body required');
      if (
        mine.some(
          (m) => m['address'] === input['address'] && m['protocol_port'] === input['protocol_port'],
        )
      ) {
        throw new Conflict('Duplicate member');
      }
      this.touch(lbId, 'PENDING_UPDATE');
      const m = newObject(input);
      m['pool_id'] = poolId;
      this.members.set(m.id, m);
      return [201, { member: m }];
    }
    const m = memberId === undefined ? undefined : this.members.get(memberId);
    if (m === undefined || m['pool_id'] !== poolId)
      throw new NotFound(`Member ${memberId} not found.`);
    if (req.method === 'GET') return [200, { member: m }];
    if (req.method === 'DELETE') {
      this.touch(lbId, 'PENDING_UPDATE');
      this.members.delete(m.id);
      return [204, undefined];
    }
    throw new NotFound(`no route ${req.method} members`);
  }

  private cascade(lbId: string): void {
    for (const [id, p] of this.pools) {
      if (lbOf('pools', p) !== lbId) continue;
      for (const [mid, m] of this.members) if (m['pool_id'] === id) this.members.delete(mid);
      this.pools.delete(id);
    }
    for (const [id, l] of this.listeners)
      if (lbOf('listeners', l) === lbId) this.listeners.delete(id);
    this.lbs.delete(lbId);
    this.pending.delete(lbId);
  }
}
