/**
 * @module The contract between the OpenStack transport and the resource modules (Neutron, Octavia, Keystone):
 * one request shape, one response shape, one client per service type.
 */

/** HTTP methods the OpenStack APIs use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';

/** A query parameter value; arrays repeat the key (`?fields=id&fields=name`), `undefined` is left out. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined; // arrays repeat the key

/** One call to an OpenStack service. */
export interface ApiRequest {
  method: HttpMethod;
  /** Relative to the service endpoint (`/v2.0/ports`) or an absolute URL (pagination `next` links). */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON-encoded when present. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Overall deadline for this call including retries (default from the session options). */
  timeoutMs?: number;
  /**
   * POST/PATCH are retried only when true, or when the error proves the request was not applied
   * (a connect error before anything was sent).
   */
  retryNonIdempotent?: boolean;
}

/** A successful (2xx) reply; `body` is the parsed JSON, or `undefined` for an empty body. */
export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
  /** `x-openstack-request-id` (or `x-compute-request-id`) of the reply. */
  requestId: string | undefined;
}

/**
 * A client bound to one service endpoint. Non-2xx replies reject with the typed errors of `errors.ts`;
 * transport failures reject with `ServiceUnavailable` / `RequestTimeout`.
 */
export interface ServiceClient {
  /** `'network'`, `'load-balancer'`, `'identity'`. */
  readonly serviceType: string;
  request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>>;
  /** Resolved base URL (catalog or override). */
  endpoint(signal?: AbortSignal): Promise<string>;
}
