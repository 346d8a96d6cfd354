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

  /** Creates several rules in ONE atomic request (`{security_group_rules: [...]}`), input order kept. */
  async createBulk(
    bodies: readonly SecurityGroupRuleCreate[],
    opts: RequestOptions = {},
  ): Promise<SecurityGroupRule[]> {
    if (bodies.length === 0) return [];
    const res = await this.http.request<{ security_group_rules: SecurityGroupRule[] }>({
      method: 'POST',
      path: this.spec.path,
      body: { security_group_rules: bodies },
      ...opts,
    });
    return res.body.security_group_rules;
  }
}
