/** @module Octavia pool members (`/v2/lbaas/pools/{pool}/members`), a sub-resource of a pool. */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from '../neutron/resource.js';
import type { RequestOptions, UpdateOptions } from '../neutron/request-options.js';
import type { ListFilters, ListOptions } from '../neutron/types.js';
import type { Member, MemberCreate, MemberUpdate } from './types.js';

type Inner = NeutronResource<Member, MemberCreate, MemberUpdate>;

/** Client of the members of one pool; every method takes the pool id first. */
export class MembersClient {
  constructor(private readonly http: ServiceClient) {}

  /** The generic verbs bound to one pool (no request). */
  of(poolId: string): Inner {
    return new NeutronResource(this.http, {
      path: `/v2/lbaas/pools/${encodeURIComponent(poolId)}/members`,
      singular: 'member',
      plural: 'members',
      tagsInBody: true,
    });
  }

  /** Adds a member. The same address+port twice is a ConflictError (409 `DuplicateMemberEntry`). */
  create(poolId: string, body: MemberCreate, opts?: RequestOptions): Promise<Member> {
    return this.of(poolId).create(body, opts);
  }

  /** Reads one member. @throws NotFoundError */
  get(poolId: string, id: string, opts?: RequestOptions): Promise<Member> {
    return this.of(poolId).get(id, opts);
  }

  /** Updates one member. @throws NotFoundError */
  update(poolId: string, id: string, body: MemberUpdate, opts?: UpdateOptions): Promise<Member> {
    return this.of(poolId).update(id, body, opts);
  }

  /** Removes one member. @throws NotFoundError */
  delete(poolId: string, id: string, opts?: RequestOptions): Promise<void> {
    return this.of(poolId).delete(id, opts);
  }

  /** Idempotent remove. @returns false when it was already gone. */
  deleteIfExists(poolId: string, id: string, opts?: RequestOptions): Promise<boolean> {
    return this.of(poolId).deleteIfExists(id, opts);
  }

  /** Lists the members of a pool, paging lazily. */
  list(
    poolId: string,
    filters?: ListFilters,
    opts?: ListOptions & RequestOptions,
  ): AsyncGenerator<Member> {
    return this.of(poolId).list(filters, opts);
  }

  /** All members of a pool matching `filters`. */
  listAll(
    poolId: string,
    filters?: ListFilters,
    opts?: ListOptions & RequestOptions,
  ): Promise<Member[]> {
    return this.of(poolId).listAll(filters, opts);
  }

  /**
   * Batch update (`PUT …/members` with `{members}`, 202): the pool's members become exactly `members`
   * — missing ones are removed, new ones created, existing ones (same address + port) updated — in one
   * load balancer transition. Wait for ACTIVE afterwards.
   */
  async replaceAll(
    poolId: string,
    members: readonly MemberCreate[],
    opts: RequestOptions = {},
  ): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: `/v2/lbaas/pools/${encodeURIComponent(poolId)}/members`,
      body: { members },
      ...opts,
    });
  }
}
