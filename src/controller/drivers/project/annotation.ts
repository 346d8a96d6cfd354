/**
 * @module `annotation` project driver: the namespace annotation `openstack.org/kuryr-project`, falling back
 * to `[neutron_defaults] project` when the namespace has none.
 */
import { ConfigurationError } from '../../../common/errors/index.js';
import type { DriverDeps } from '../deps.js';
import type { ProjectDriver, ProjectTarget } from './types.js';

/** Namespace annotation naming the project (COMPATIBILITY.md §6). */
export const ANNOTATION_KURYR_PROJECT = 'openstack.org/kuryr-project';

/** Reads a namespace's annotations (undefined when the namespace is unknown). */
export type NamespaceAnnotationsLookup = (
  namespace: string,
  signal?: AbortSignal,
) => Promise<Readonly<Record<string, string>> | undefined>;

/** The `annotation` project driver. */
export class AnnotationProjectDriver implements ProjectDriver {
  readonly alias = 'annotation';

  constructor(
    private readonly fallback: string | undefined,
    private readonly lookup?: NamespaceAnnotationsLookup,
  ) {}

  static fromDeps(d: DriverDeps, lookup?: NamespaceAnnotationsLookup): AnnotationProjectDriver {
    return new AnnotationProjectDriver(d.config.neutronDefaults.project, lookup);
  }

  /** @throws ConfigurationError when neither the annotation nor `[neutron_defaults] project` is set. */
  async getProjectId(t: ProjectTarget, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const annotations =
      t.namespaceAnnotations ?? (await this.lookup?.(t.namespace, opts.signal)) ?? {};
    const project = annotations[ANNOTATION_KURYR_PROJECT] || this.fallback;
    if (!project) {
      throw new ConfigurationError(
        `namespace ${t.namespace} has no ${ANNOTATION_KURYR_PROJECT} annotation and ` +
          '[neutron_defaults] project is not set',
      );
    }
    return project;
  }
}
