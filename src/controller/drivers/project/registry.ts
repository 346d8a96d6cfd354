/** @module `*_project_driver` aliases → factories. */
import { resolveAlias } from '../alias-registry.js';
import type { DriverDeps } from '../deps.js';
import { AnnotationProjectDriver, type NamespaceAnnotationsLookup } from './annotation.js';
import { DefaultProjectDriver } from './default.js';
import type { ProjectDriver } from './types.js';

/** Extra wiring some project drivers accept. */
export interface ProjectDeps extends DriverDeps {
  namespaceAnnotations?: NamespaceAnnotationsLookup;
}

/** Factory of one project driver. */
export type ProjectFactory = (deps: ProjectDeps) => ProjectDriver;

/** The aliases (exactly the Python strings). */
export const PROJECT_DRIVERS = {
  default: (d) => DefaultProjectDriver.fromDeps(d),
  annotation: (d) => AnnotationProjectDriver.fromDeps(d, d.namespaceAnnotations),
} as const satisfies Readonly<Record<string, ProjectFactory>>;

/** A valid project driver value. */
export type ProjectAlias = keyof typeof PROJECT_DRIVERS;

/**
 * @param configKey e.g. `[kubernetes] pod_project_driver` (quoted in the error)
 * @throws ConfigurationError for an unknown alias or a missing project.
 */
export function createProjectDriver(
  alias: string,
  deps: ProjectDeps,
  configKey = '[kubernetes] pod_project_driver',
): ProjectDriver {
  return resolveAlias<ProjectFactory>(PROJECT_DRIVERS, alias, configKey)(deps);
}
