/**
 * @module The typed report of `kuryr status`: one row per check, whether it is mandatory, and what a
 * missing piece disables.
 */

/** Outcome of one check. `missing`/`error` on a mandatory check make the report fail. */
export type CheckState = 'ok' | 'warning' | 'missing' | 'error';

/** One row of the report. */
export interface StatusCheck {
  /** Stable id: `keystone`, `neutron`, `extension:trunk`, `subnetpool:kuryr`, `octavia` … */
  id: string;
  /** Area of the check. */
  group: 'keystone' | 'neutron' | 'extension' | 'subnetpool' | 'octavia';
  state: CheckState;
  mandatory: boolean;
  /** What was found (version, scope, pool id) or what went wrong. */
  detail: string;
  /** What does not work while this is missing (empty when ok). */
  disables?: string;
}

/** How Kuryr identifies its Neutron objects with the extensions found (COMPATIBILITY.md §1). */
export type TagMode = 'tag' | 'network-tags-only' | 'name';

/** The whole report. */
export interface StatusReport {
  /** False when a mandatory check is not ok: the command exits non-zero. */
  ok: boolean;
  checks: StatusCheck[];
  /** Tagging mode derived from the extensions (undefined when they could not be read). */
  tagMode: TagMode | undefined;
  /** `[neutron]` endpoint used. */
  neutronEndpoint: string | undefined;
  /** ISO time the report was made. */
  checkedAt: string;
}

/** What to check. */
export interface StatusOptions {
  /** `[neutron] default_subnetpool_v4`. @default 'kuryr' */
  defaultSubnetpoolV4?: string;
  /** `[neutron] default_subnetpool_v6`. @default 'kuryr6' */
  defaultSubnetpoolV6?: string;
  /** Octavia is required (Kubernetes services are in use); otherwise only reported. @default false */
  requireOctavia?: boolean;
  /** Deadline of each request (ms). @default 15000 */
  requestTimeoutMs?: number;
}
