/**
 * @module The Keystone v3 service catalog and endpoint selection by service type, interface and region.
 */
import { ConfigurationError } from '../../common/errors/index.js';
import type { EndpointInterface } from '../session-options.js';

/** One endpoint of a catalog entry as Keystone v3 returns it. */
export interface CatalogEndpoint {
  id?: string;
  interface: string;
  region?: string | null;
  region_id?: string | null;
  url: string;
}

/** One service of the catalog. */
export interface CatalogEntry {
  id?: string;
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

/** Accepts keystoneauth's `public`/`publicURL` spellings. */
export function normaliseInterface(value: string | undefined): EndpointInterface {
  const v = (value ?? 'public').toLowerCase().replace(/url$/, '');
  if (v === 'public' || v === 'internal' || v === 'admin') return v;
  throw new ConfigurationError(
    `endpoint interface '${value}' is not one of public, internal, admin`,
  );
}

/**
 * Picks the endpoint URL for a service.
 * @param catalog the token's catalog.
 * @param serviceType `network`, `load-balancer`, `identity` …
 * @param iface wanted interface.
 * @param region wanted region; when undefined the first endpoint with the interface wins.
 * @throws ConfigurationError naming what the catalog offers when nothing matches.
 */
export function selectEndpoint(
  catalog: readonly CatalogEntry[],
  serviceType: string,
  iface: EndpointInterface,
  region?: string,
): string {
  const services = catalog.filter((s) => s.type === serviceType);
  if (services.length === 0) {
    const types = [...new Set(catalog.map((s) => s.type))].sort().join(', ');
    throw new ConfigurationError(
      `the Keystone catalog has no '${serviceType}' service (it has: ${types || 'nothing'}); ` +
        'is the service registered, or is the token unscoped?',
    );
  }
  const all = services.flatMap((s) => s.endpoints);
  const match = all.find(
    (e) =>
      e.interface === iface &&
      (region === undefined || region === '' || e.region_id === region || e.region === region),
  );
  if (match === undefined) {
    const offered = all.map((e) => `${e.interface}@${e.region_id ?? e.region ?? '-'}`).join(', ');
    throw new ConfigurationError(
      `the Keystone catalog has no ${iface} '${serviceType}' endpoint` +
        `${region ? ` in region '${region}'` : ''} (offered: ${offered || 'none'})`,
    );
  }
  return match.url;
}
