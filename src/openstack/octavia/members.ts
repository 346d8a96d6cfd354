/** @module Octavia pool members (`/v2/lbaas/pools/{pool}/members`), a sub-resource of a pool. */
import type { ServiceClient } from '../http/types.js';
import { NestedResource } from '../neutron/nested-resource.js';
import type { RequestOptions } from '../neutron/request-options.js';
import type { Member, MemberCreate, MemberUpdate } from './types.js';

/**
 * Client of the members of one pool; every verb takes the pool id first. The same address + port twice
 * is a ConflictError (409 `DuplicateMemberEntry`).
 */
export class MembersClient extends NestedResource<Member, MemberCreate, MemberUpdate> {
  constructor(http: ServiceClient) {
    super(http, {
      parentPath: '/v2/lbaas/pools',
      collection: 'members',
      singular: 'member',
      plural: 'members',
      tagsInBody: true,
    });
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
      path: this.collectionPath(poolId),
      body: { members },
      ...opts,
    });
  }
}
