/**
 * @module Composition root of the OpenStack layer: one undici Agent, one transport, one Keystone token
 * manager (unless noauth) and a `ServiceClient` per service type / interface / region.
 */
import type { Logger } from 'pino';
import { ConfigurationError } from '../common/errors/index.js';
import { createAgent } from './http/agent.js';
import { OpenStackServiceClient } from './http/service-client.js';
import { HttpTransport, type TransportDeps } from './http/transport.js';
import type { ServiceClient } from './http/types.js';
import { normaliseInterface, selectEndpoint } from './keystone/catalog.js';
import { KeystoneTokenManager, type TokenInfo } from './keystone/token-manager.js';
import { DEFAULT_TIMEOUTS, type OpenStackConnectionOptions } from './session-options.js';

/** Per-client choices; each falls back to the session options. */
export interface ClientOptions {
  /** `public`, `internal`, `admin` (keystoneauth also spells them `publicURL` …). */
  interface?: string;
  region?: string;
  /** Base URL that bypasses the catalog for this client. */
  endpointOverride?: string;
}

/** Identity side of a session. */
export interface SessionIdentity {
  /** `'keystone'`, or `'noauth'` when no token is used. */
  readonly mode: 'keystone' | 'noauth';
  /** Keystone v3 base URL (`…/v3`), undefined in noauth mode. */
  readonly baseUrl: string | undefined;
  /**
   * The current token with scope and catalog (authenticating if needed).
   * @throws ConfigurationError in noauth mode; Unauthorized on rejected credentials.
   */
  tokenInfo(signal?: AbortSignal): Promise<TokenInfo>;
  /** Client for the Keystone v3 API: paths are relative to `…/v3` (`/users/{id}/application_credentials`). */
  readonly client: ServiceClient;
}

/** A connection to one cloud. */
export interface OpenStackSession {
  /**
   * The client of a service type (`network`, `load-balancer`, `identity` …); cached per choice.
   * @throws ConfigurationError (on first request) when no endpoint can be found for it.
   */
  client(serviceType: string, options?: ClientOptions): ServiceClient;
  readonly identity: SessionIdentity;
  /** Closes the keep-alive connections; calling it again is harmless. */
  close(): Promise<void>;
}

/**
 * Creates a session. Nothing is sent until the first request.
 * @param options connection options (see session-options.ts).
 * @param log pino logger; requests are logged at debug level without secrets.
 * @param deps injected clock / randomness / sleep (tests).
 * @throws ConfigurationError on unusable options (missing fields, unreadable TLS files, Keystone v2 URL).
 */
export function createOpenStackSession(
  options: OpenStackConnectionOptions,
  log: Logger,
  deps: TransportDeps = {},
): OpenStackSession {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const defaultInterface = normaliseInterface(options.interface);
  const noauth = options.auth.type === 'noauth';
  const agent = createAgent(options.tls, options.timeouts, log);
  const transport = new HttpTransport(
    { dispatcher: agent, retries: options.retries, userAgent: options.userAgent },
    log,
    deps,
  );
  const tokens = noauth
    ? undefined
    : new KeystoneTokenManager(
        {
          auth: options.auth,
          transport,
          requestTimeoutMs: timeouts.requestMs,
          renewBeforeMs: options.tokenRenewBeforeMs,
          now: deps.now,
        },
        log,
      );
  const clients = new Map<string, ServiceClient>();

  const resolver =
    (serviceType: string, o: ClientOptions) =>
    async (signal?: AbortSignal): Promise<string> => {
      const override = o.endpointOverride ?? options.endpointOverrides?.[serviceType];
      if (override !== undefined && override !== '') return override;
      if (tokens === undefined) {
        throw new ConfigurationError(
          `auth_type = noauth needs an explicit endpoint for the '${serviceType}' service ` +
            '(endpoint_override)',
        );
      }
      if (serviceType === 'identity') return tokens.baseUrl;
      const info = await tokens.tokenInfo(signal);
      const iface = o.interface === undefined ? defaultInterface : normaliseInterface(o.interface);
      return selectEndpoint(info.catalog, serviceType, iface, o.region ?? options.regionName);
    };

  const client = (serviceType: string, o: ClientOptions = {}): ServiceClient => {
    const key = JSON.stringify([serviceType, o.interface, o.region, o.endpointOverride]);
    let c = clients.get(key);
    if (c === undefined) {
      c = new OpenStackServiceClient(
        {
          serviceType,
          transport,
          resolveEndpoint: resolver(serviceType, o),
          tokens,
          requestTimeoutMs: timeouts.requestMs,
          now: deps.now,
        },
        log,
      );
      clients.set(key, c);
    }
    return c;
  };

  const identity: SessionIdentity = {
    mode: noauth ? 'noauth' : 'keystone',
    baseUrl: tokens?.baseUrl,
    tokenInfo: (signal?: AbortSignal) => {
      if (tokens === undefined) {
        return Promise.reject(new ConfigurationError('no Keystone token in noauth mode'));
      }
      return tokens.tokenInfo(signal);
    },
    get client() {
      return client('identity');
    },
  };

  let closing: Promise<void> | undefined;
  return {
    client,
    identity,
    // Idempotent: undici throws when an Agent is closed twice, and harnesses close from several places.
    close: () => (closing ??= agent.close()),
  };
}
