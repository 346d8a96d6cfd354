/**
 * @module Async iteration over a paginated OpenStack collection (Neutron v2.0, Octavia v2): `limit` +
 * `marker`, following the `<collection>_links` `next` link until there is none.
 */
import { KuryrError } from '../../common/errors/index.js';
import type { QueryValue, ServiceClient } from '../http/types.js';

/** A `*_links` entry. */
interface Link {
  rel: string;
  href: string;
}

/** What `paginate` needs to know about one collection. */
export interface PageRequest {
  /** Relative collection path, e.g. `/v2.0/ports`. */
  path: string;
  /** JSON key of the list in the reply, e.g. `ports`. */
  collection: string;
  /** Encoded filters. */
  query: Record<string, QueryValue>;
  /** Items per page; unset = the server's default (Neutron: no limit, one page). */
  pageSize?: number | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Yields every item of the collection, one page per request.
 *
 * NOTE: the `next` link is used only for its `marker`: the request itself keeps our relative path and
 * query. A Neutron behind a proxy (or bound to another address than the one we reach) writes its own
 * host into the link, which we could not necessarily reach; the marker is all the link adds.
 *
 * @throws whatever the transport throws (typed OpenStack errors), and KuryrError when the server
 *   returns a `next` link whose marker does not move forward (would loop forever).
 */
export async function* paginate<T>(http: ServiceClient, req: PageRequest): AsyncGenerator<T> {
  let marker: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    req.signal?.throwIfAborted();
    const query: Record<string, QueryValue> = { ...req.query };
    if (req.pageSize !== undefined) query['limit'] = req.pageSize;
    if (marker !== undefined) query['marker'] = marker;
    const res = await http.request<Record<string, unknown>>({
      method: 'GET',
      path: req.path,
      query,
      signal: req.signal,
      timeoutMs: req.timeoutMs,
    });
    const items = (res.body?.[req.collection] ?? []) as T[];
    for (const item of items) yield item;
    const next = nextMarker(res.body?.[`${req.collection}_links`]);
    // Followed even without `pageSize`: a server-side `pagination_max_limit` pages on its own.
    if (next === undefined || items.length === 0) return;
    if (seen.has(next)) {
      throw new KuryrError(`pagination of ${req.path} does not advance (marker ${next} repeated)`);
    }
    seen.add(next);
    marker = next;
  }
}

/** Extracts the `marker` of the `next` link, if any. */
function nextMarker(links: unknown): string | undefined {
  if (!Array.isArray(links)) return undefined;
  const next = (links as Link[]).find((l) => l.rel === 'next');
  if (next === undefined) return undefined;
  try {
    return new URL(next.href, 'http://relative.invalid').searchParams.get('marker') ?? undefined;
  } catch {
    return undefined;
  }
}
