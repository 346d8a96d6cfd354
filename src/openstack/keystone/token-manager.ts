/**
 * @module Keystone v3 token cache: authenticates on first use, renews before expiry (token-renewal.ts),
 * shares one in-flight authentication between concurrent callers, and exposes the token's catalog and scope.
 *
 * Guarantees:
 * - At most one `POST /v3/auth/tokens` in flight per manager.
 * - A token refused by a service (`invalidate`) is never handed out again.
 * - Secrets (password, token, application credential secret) never appear in logs or error messages.
 */
import type { Logger } from 'pino';
import { ConfigurationError } from '../../common/errors/index.js';
import { startDeadline } from '../http/deadline.js';
import { Unauthorized } from '../http/errors.js';
import type { TokenProvider } from '../http/service-client.js';
import type { HttpTransport } from '../http/transport.js';
import type { AuthOptions } from '../session-options.js';
import { authRequestBody, describePrincipal, keystoneV3Base } from './auth-request.js';
import type { CatalogEntry } from './catalog.js';
import { needsRenewal } from './token-renewal.js';

interface NamedRef {
  id: string;
  name?: string;
  domain?: { id: string; name?: string };
}

/** The parts of a Keystone token we use. */
export interface TokenInfo {
  /** The token itself: never log it. */
  token: string;
  issuedAt: number;
  expiresAt: number;
  methods: string[];
  user: NamedRef | undefined;
  project: NamedRef | undefined;
  domain: NamedRef | undefined;
  /** True for a system-scoped token (`system: {all: true}`). */
  system: boolean;
  roles: string[];
  catalog: CatalogEntry[];
}

interface TokenBody {
  token?: {
    issued_at?: string;
    expires_at?: string;
    methods?: string[];
    user?: NamedRef;
    project?: NamedRef;
    domain?: NamedRef;
    system?: Record<string, unknown>;
    roles?: { id: string; name: string }[];
    catalog?: CatalogEntry[];
  };
}

/** Construction options of the token manager. */
export interface TokenManagerOptions {
  auth: AuthOptions;
  transport: HttpTransport;
  /** Deadline of one authentication (ms). */
  requestTimeoutMs: number;
  /** See `OpenStackConnectionOptions.tokenRenewBeforeMs`. */
  renewBeforeMs?: number;
  now?: () => number;
}

/** Authenticates against Keystone v3 and keeps a valid token. */
export class KeystoneTokenManager implements TokenProvider {
  /** Keystone v3 base URL (`…/v3`). */
  readonly baseUrl: string;
  private readonly now: () => number;
  private current: TokenInfo | undefined;
  private inflight: Promise<TokenInfo> | undefined;
  private authCount = 0;

  /** @throws ConfigurationError when the options cannot authenticate (checked now, not on first use). */
  constructor(
    private readonly options: TokenManagerOptions,
    private readonly log: Logger,
  ) {
    this.baseUrl = keystoneV3Base(options.auth.authUrl);
    authRequestBody(options.auth); // validate early: a missing field is a startup error
    this.now = options.now ?? Date.now;
  }

  /** Number of authentications performed so far (for tests and status). */
  get authentications(): number {
    return this.authCount;
  }

  /** @inheritdoc */
  async getToken(signal?: AbortSignal): Promise<string> {
    return (await this.tokenInfo(signal)).token;
  }

  /** @inheritdoc */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  /**
   * The current token with its scope and catalog, authenticating or renewing first when needed.
   * @throws Unauthorized (AuthError) on rejected credentials; ServiceUnavailable / RequestTimeout when
   *   Keystone cannot be reached in time.
   */
  async tokenInfo(signal?: AbortSignal): Promise<TokenInfo> {
    const t = this.current;
    if (
      t !== undefined &&
      !needsRenewal(t.issuedAt, t.expiresAt, this.now(), this.options.renewBeforeMs)
    ) {
      return t;
    }
    // Callers share the in-flight authentication, but each waits only as long as its own signal allows.
    this.inflight ??= this.authenticate().finally(() => {
      this.inflight = undefined;
    });
    const fresh = signal === undefined ? this.inflight : raceAbort(this.inflight, signal);
    if (t === undefined) return fresh;
    // An early renewal that fails (Keystone briefly down) must not turn into an outage: the current
    // token stays usable until it really expires.
    return fresh.catch((error: unknown) => {
      if (signal?.aborted === true || this.now() >= t.expiresAt) throw error;
      this.log.warn(
        {
          err: error instanceof Error ? error.message : String(error),
          expiresAt: new Date(t.expiresAt).toISOString(),
        },
        'keystone token renewal failed; using the current token until it expires',
      );
      return t;
    });
  }

  private async authenticate(): Promise<TokenInfo> {
    const { auth } = this.options;
    const deadline = startDeadline(this.options.requestTimeoutMs, undefined, this.now);
    this.authCount += 1;
    try {
      const res = await this.options.transport.send<TokenBody>(
        'identity',
        this.baseUrl,
        {
          method: 'POST',
          path: '/auth/tokens',
          body: authRequestBody(auth),
          // Issuing a token changes nothing on the server: safe to repeat.
          retryNonIdempotent: true,
        },
        deadline,
      );
      const info = parseToken(res.headers['x-subject-token'], res.body, this.now());
      this.current = info;
      this.log.debug(
        {
          userId: info.user?.id,
          projectId: info.project?.id,
          system: info.system,
          expiresAt: new Date(info.expiresAt).toISOString(),
        },
        'keystone token issued',
      );
      return info;
    } catch (error) {
      if (error instanceof Unauthorized && error.status === 401) {
        throw new Unauthorized(
          `Keystone at ${this.baseUrl} rejected ${describePrincipal(auth)}: ${error.message} ` +
            '(check the credentials, their domain and the scope in the [neutron] / keystone_authtoken section)',
          {
            cause: error,
            status: 401,
            type: error.type,
            requestId: error.requestId,
            serviceType: 'identity',
          },
        );
      }
      throw error;
    } finally {
      deadline.dispose();
    }
  }
}

function parseToken(
  header: string | string[] | undefined,
  body: TokenBody | undefined,
  now: number,
): TokenInfo {
  const token = Array.isArray(header) ? header[0] : header;
  const t = body?.token;
  if (token === undefined || token === '' || t === undefined) {
    throw new ConfigurationError(
      'Keystone replied without X-Subject-Token or token body: is auth_url a Keystone v3 URL?',
    );
  }
  const serverExpires = t.expires_at === undefined ? Number.NaN : Date.parse(t.expires_at);
  const serverIssued = t.issued_at === undefined ? Number.NaN : Date.parse(t.issued_at);
  // Keep the lifetime the server granted but anchor it on OUR clock, so clock skew between this host and
  // Keystone cannot make us use an expired token. Unknown expiry: assume one hour.
  const lifetime =
    Number.isNaN(serverExpires) || Number.isNaN(serverIssued)
      ? 3_600_000
      : Math.max(0, serverExpires - serverIssued);
  return {
    token,
    issuedAt: now,
    expiresAt: now + lifetime,
    methods: t.methods ?? [],
    user: t.user,
    project: t.project,
    domain: t.domain,
    system: t.system !== undefined,
    roles: (t.roles ?? []).map((r) => r.name),
    catalog: t.catalog ?? [],
  };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
