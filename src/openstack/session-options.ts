/**
 * @module Options of an OpenStack session: credentials, catalog selection, TLS, timeouts and retries.
 * Every source (kuryr.conf keystoneauth keys, clouds.yaml, OS_* env) is converted into this one shape by
 * `connectionOptionsFromKeystoneauth` (session-keystoneauth.ts).
 */
import type { RetryOptions } from './http/retry-policy.js';

/** Keystone auth types we accept (keystoneauth plugin names, normalised). */
export type AuthType = 'password' | 'token' | 'applicationcredential' | 'noauth';

/** Catalog interface of an endpoint. */
export type EndpointInterface = 'public' | 'internal' | 'admin';

/** Credentials and scope. Either the `…Id` or the `…Name` form of each field is enough. */
export interface AuthOptions {
  type: AuthType;
  /** Keystone URL, with or without `/v3` (`http://ks:5000`, `http://ks:5000/v3`, `https://x/identity`). */
  authUrl?: string;
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  /** Domain scope (when no project is given). */
  domainName?: string;
  domainId?: string;
  /** System scope: `'all'` → `{"system": {"all": true}}`. */
  systemScope?: string;
  /** Existing token (`auth_type = token`). */
  token?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
}

/** TLS settings for every OpenStack endpoint. */
export interface TlsOptions {
  /** PEM bundle of the CAs to trust (replaces the system store). */
  caFile?: string;
  /** Client certificate (PEM) for mutual TLS, with `keyFile`. */
  certFile?: string;
  keyFile?: string;
  /** Skip server certificate verification. Logged as a warning. @default false */
  insecure?: boolean;
}

/** Timeouts; none of them can be disabled, so no call hangs. */
export interface TimeoutOptions {
  /** TCP + TLS connect. @default 10000 */
  connectMs?: number;
  /** Waiting for the response headers of one attempt. @default 60000 */
  headersMs?: number;
  /** Idle time between body chunks of one attempt. @default 60000 */
  bodyMs?: number;
  /** Overall deadline of one call including retries and re-auth (overridable per call). @default 120000 */
  requestMs?: number;
}

/** Everything needed to talk to one cloud. */
export interface OpenStackConnectionOptions {
  auth: AuthOptions;
  /** Region used for catalog lookup when a client does not ask for one. */
  regionName?: string;
  /** Catalog interface. @default 'public' */
  interface?: EndpointInterface;
  /** Service type → base URL, bypassing the catalog (mandatory in `noauth` mode). */
  endpointOverrides?: Record<string, string>;
  tls?: TlsOptions;
  timeouts?: TimeoutOptions;
  retries?: Partial<RetryOptions>;
  /**
   * Renew the token when less than this is left. Default: the smaller of 5 minutes and 10 % of the token's
   * lifetime.
   */
  tokenRenewBeforeMs?: number;
  /** Sent as `User-Agent`. @default 'kuryr-ts' */
  userAgent?: string;
}

/** Default timeouts (ms). */
export const DEFAULT_TIMEOUTS: Readonly<Required<TimeoutOptions>> = {
  connectMs: 10_000,
  headersMs: 60_000,
  bodyMs: 60_000,
  requestMs: 120_000,
};
