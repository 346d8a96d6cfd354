/**
 * @module The security groups plug-in point (`pod_security_groups_driver`,
 * `service_security_groups_driver`): the Neutron security groups of a pod's port.
 */

/** The pod a security group set is asked for. */
export interface SecurityGroupsTarget {
  namespace: string;
  name: string;
  labels?: Readonly<Record<string, string>>;
}

/** Contract: returns a set of SG ids (order irrelevant). @throws ConfigurationError. */
export interface SecurityGroupsDriver {
  readonly alias: string;
  getSecurityGroups(
    target: SecurityGroupsTarget,
    opts?: { signal?: AbortSignal },
  ): Promise<string[]>;
}
