/**
 * @module The `ServiceClient` implementation: resolves the endpoint, adds the token, applies the per-call
 * deadline, and on a 401 from the service re-authenticates ONCE and replays the call (a token revoked or
 * expired early on the server side).
 */
import type { Logger } from 'pino';
import { startDeadline } from './deadline.js';
import { Unauthorized } from './errors.js';
import type { HttpTransport } from './transport.js';
import type { ApiRequest, ApiResponse, ServiceClient } from './types.js';

/** Supplies tokens; implemented by keystone/token-manager.ts. Absent in noauth mode. */
export interface TokenProvider {
  /** A valid token, renewing it first when it is close to expiry. Concurrent callers share one auth. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forgets `token` (the service refused it) so the next `getToken` authenticates again. */
  invalidate(token: string): void;
}

/** Construction options of a service client. */
export interface ServiceClientOptions {
  serviceType: string;
  transport: HttpTransport;
  /** Resolves the base URL (catalog lookup or override). */
  resolveEndpoint: (signal?: AbortSignal) => Promise<string>;
  /** Undefined in noauth mode: no X-Auth-Token is sent. */
  tokens: TokenProvider | undefined;
  /** Default overall deadline of one call (ms). */
  requestTimeoutMs: number;
  now?: () => number;
}

/** A client bound to one service type of one session. */
export class OpenStackServiceClient implements ServiceClient {
  readonly serviceType: string;
  private readonly now: () => number;

  constructor(
    private readonly options: ServiceClientOptions,
    private readonly log: Logger,
  ) {
    this.serviceType = options.serviceType;
    this.now = options.now ?? Date.now;
  }

  /** @inheritdoc */
  endpoint(signal?: AbortSignal): Promise<string> {
    return this.options.resolveEndpoint(signal);
  }

  /**
   * Sends `req` to the service.
   * @throws the typed errors of errors.ts (NotFound, Conflict, Unauthorized, ServiceUnavailable,
   *   RequestTimeout …); the caller's abort reason when `req.signal` aborts.
   */
  async request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    const deadline = startDeadline(
      req.timeoutMs ?? this.options.requestTimeoutMs,
      req.signal,
      this.now,
    );
    try {
      const base = await this.options.resolveEndpoint(deadline.signal);
      const tokens = this.options.tokens;
      if (tokens === undefined) {
        return await this.options.transport.send<T>(this.serviceType, base, req, deadline);
      }
      const token = await tokens.getToken(deadline.signal);
      try {
        return await this.options.transport.send<T>(
          this.serviceType,
          base,
          withToken(req, token),
          deadline,
        );
      } catch (error) {
        if (!(error instanceof Unauthorized) || error.status !== 401) throw error;
        // The service refused a token we believed valid: authenticate again once and replay.
        this.log.info(
          { service: this.serviceType, requestId: error.requestId },
          'token refused by the service, re-authenticating once',
        );
        tokens.invalidate(token);
        const fresh = await tokens.getToken(deadline.signal);
        return await this.options.transport.send<T>(
          this.serviceType,
          base,
          withToken(req, fresh),
          deadline,
        );
      }
    } finally {
      deadline.dispose();
    }
  }
}

function withToken(req: ApiRequest, token: string): ApiRequest {
  return { ...req, headers: { ...req.headers, 'x-auth-token': token } };
}
