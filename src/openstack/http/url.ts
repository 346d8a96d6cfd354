/** @module Joins a service endpoint, a request path and query parameters into one URL. */
import type { QueryValue } from './types.js';

/**
 * Builds the URL of a request.
 * @param base service endpoint (`http://neutron:9696/`, `https://x/network`).
 * @param path relative path (`/v2.0/ports`), or an absolute URL (pagination links) used as is.
 * @param query parameters; arrays repeat the key, `undefined` values are left out.
 */
export function buildUrl(base: string, path: string, query?: Record<string, QueryValue>): URL {
  const url = /^https?:\/\//i.test(path)
    ? new URL(path)
    : new URL(`${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const v of value as readonly (string | number)[])
        url.searchParams.append(key, String(v));
    } else {
      url.searchParams.append(key, String(value));
    }
  }
  return url;
}

/** Header names whose values are secrets. */
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'x-auth-token',
  'x-subject-token',
  'x-service-token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

/**
 * Copy of `headers` safe to log: token/password-bearing headers replaced by `'***'`.
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) && v !== undefined ? '***' : v;
  }
  return out;
}
