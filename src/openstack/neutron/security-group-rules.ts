/** @module Neutron security group rules (`/v2.0/security-group-rules`), single and bulk create. */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import { NeutronResource } from './resource.js';
import type { SecurityGroupRule, SecurityGroupRuleCreate } from './types.js';

/**
 * Client of `/v2.0/security-group-rules`. Rules are immutable except for `description`; a duplicate
 * rule is refused with 409 `SecurityGroupRuleExists` (ConflictError).
 */
export class SecurityGroupRulesClient extends NeutronResource<
  SecurityGroupRule,
  SecurityGroupRuleCreate,
  { description?: string }
> {
  constructor(http: ServiceClient) {
    super(http, {
      path: '/v2.0/security-group-rules',
      singular: 'security_group_rule',
      plural: 'security_group_rules',
    });
  }

  /** Creates several rules in ONE atomic request, in input order (see `createMany`). */
  createBulk(
    bodies: readonly SecurityGroupRuleCreate[],
    opts: RequestOptions = {},
  ): Promise<SecurityGroupRule[]> {
    return this.createMany(bodies, opts);
  }
}
