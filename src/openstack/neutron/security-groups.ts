/** @module Neutron security groups (`/v2.0/security-groups`). */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from './resource.js';
import type { SecurityGroup, SecurityGroupCreate, SecurityGroupUpdate } from './types.js';

/**
 * Client of `/v2.0/security-groups`. NOTE: Neutron adds two default egress rules (IPv4 + IPv6) to
 * every new group; they come back in `security_group_rules`.
 */
export class SecurityGroupsClient extends NeutronResource<
  SecurityGroup,
  SecurityGroupCreate,
  SecurityGroupUpdate
> {
  constructor(http: ServiceClient) {
    super(http, {
      path: '/v2.0/security-groups',
      singular: 'security_group',
      plural: 'security_groups',
    });
  }
}
