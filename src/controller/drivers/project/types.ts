/**
 * @module The project plug-in point (`pod_project_driver`, `service_project_driver`,
 * `namespace_project_driver`, `network_policy_project_driver`): which OpenStack project owns the Neutron
 * resources of a Kubernetes object.
 */

/** The object a project is asked for: its namespace, with annotations when the caller has them. */
export interface ProjectTarget {
  namespace: string;
  /** Annotations of the namespace object, when already known (saves a lookup). */
  namespaceAnnotations?: Readonly<Record<string, string>>;
}

/** Contract: returns a project id. @throws ConfigurationError when none is configured. */
export interface ProjectDriver {
  readonly alias: string;
  getProjectId(target: ProjectTarget, opts?: { signal?: AbortSignal }): Promise<string>;
}
