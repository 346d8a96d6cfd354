/**
 * @module A `ServiceClient` decorator that records every request it forwards, so tests (and benches)
 * can assert how many Neutron/Octavia calls an operation costs against a REAL service.
 */
import type { ApiRequest, ApiResponse, ServiceClient } from '../http/types.js';

/** Wraps `inner`; `requests` lists `METHOD path` of every call, successful or not. */
export class CountingClient implements ServiceClient {
  readonly requests: string[] = [];

  constructor(private readonly inner: ServiceClient) {}

  get serviceType(): string {
    return this.inner.serviceType;
  }

  /** Number of requests since construction or the last `reset()`. */
  get count(): number {
    return this.requests.length;
  }

  /** Forgets the recorded requests. */
  reset(): void {
    this.requests.length = 0;
  }

  request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    this.requests.push(`${req.method} ${req.path}`);
    return this.inner.request<T>(req);
  }

  endpoint(signal?: AbortSignal): Promise<string> {
    return this.inner.endpoint(signal);
  }
}
