/**
 * @module What the Octavia API in front of us can do, read once from its version document (`GET /`):
 * the highest `v2.N` decides tags (2.5), listener timeouts (2.1) and SCTP (2.23).
 */
import type { ServiceClient } from '../../openstack/http/types.js';

/** Feature flags derived from the API's highest version. */
export interface OctaviaFeatures {
  /** `[2, minor]`. */
  version: readonly [number, number];
  /** Objects take `tags` (else kuryr's tags go into `description`, as the original does). */
  tags: boolean;
  /** Listener `timeout_client_data` / `timeout_member_data`. */
  timeouts: boolean;
  /** SCTP listeners and pools. */
  sctp: boolean;
}

interface VersionDoc {
  versions?: { id?: string; status?: string }[];
  version?: { id?: string };
}

const atLeast = (v: readonly [number, number], major: number, minor: number): boolean =>
  v[0] > major || (v[0] === major && v[1] >= minor);

/** Parses `v2.26` → `[2, 26]`; undefined when it is no version id. */
export function parseVersion(id: string | undefined): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)$/.exec(id ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The flags of one API version. */
export function featuresOf(version: readonly [number, number]): OctaviaFeatures {
  return {
    version,
    tags: atLeast(version, 2, 5),
    timeouts: atLeast(version, 2, 1),
    sctp: atLeast(version, 2, 23),
  };
}

/**
 * Reads the version document once. The catalog URL of Octavia is unversioned, so `/` is the document.
 * A document without versions (a proxy in front of it) counts as v2.0: nothing optional is used.
 */
export async function detectOctaviaFeatures(
  http: ServiceClient,
  signal?: AbortSignal,
): Promise<OctaviaFeatures> {
  const res = await http.request<VersionDoc>({
    method: 'GET',
    path: '/',
    ...(signal ? { signal } : {}),
  });
  const ids = [...(res.body?.versions ?? []).map((v) => v.id), res.body?.version?.id];
  let best: [number, number] = [2, 0];
  for (const id of ids) {
    const v = parseVersion(id);
    if (v && atLeast(v, best[0], best[1])) best = v;
  }
  return featuresOf(best);
}
