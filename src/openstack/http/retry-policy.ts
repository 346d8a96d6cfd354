/**
 * @module Retry timing and retry decisions of the OpenStack transport, as pure functions (random source and
 * clock injected) so they are unit-tested alone.
 *
 * Guarantees:
 * - Delay before retry n (1-based) is full jitter: `random() * min(maxDelayMs, baseDelayMs * 2^(n-1))`.
 * - A `Retry-After` header (seconds or HTTP date) replaces the jittered delay, capped at `maxRetryAfterMs`.
 * - Idempotent methods (GET, HEAD, PUT, DELETE) are retried on connection errors, 502/503/504 and 429.
 * - POST/PATCH are retried only when the caller allows it, on 429 (the server refused the request before
 *   acting on it) and on errors raised while connecting (nothing was sent).
 */
import type { HttpMethod } from './types.js';

/** Retry knobs of the transport. */
export interface RetryOptions {
  /** Total attempts including the first one. @default 4 */
  attempts: number;
  /** Base of the exponential backoff. @default 250 */
  baseDelayMs: number;
  /** Cap of one backoff delay. @default 5000 */
  maxDelayMs: number;
  /** Cap of a server-requested `Retry-After` delay. @default 30000 */
  maxRetryAfterMs?: number;
}

/** Defaults used when the session options leave a knob out. */
export const DEFAULT_RETRY_OPTIONS: Readonly<Required<RetryOptions>> = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5000,
  maxRetryAfterMs: 30_000,
};

const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Error codes raised before a single byte of the request left this host. */
const CONNECT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Error codes of a broken exchange: the request may or may not have reached the server. */
const EXCHANGE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Statuses that mean "try again later". */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** The error code of a transport error, looking into `cause` and `AggregateError.errors`. */
export function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const inner = (e as { errors?: unknown }).errors;
    e = Array.isArray(inner) && inner.length > 0 ? inner[0] : (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the error proves the request was never sent (failure while connecting). */
export function isConnectError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && CONNECT_CODES.has(code);
}

/** True when the error is a TLS certificate verification failure (a configuration problem). */
export function isTlsVerificationError(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code !== undefined &&
    (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME/.test(code) ||
      code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' ||
      code === 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE')
  );
}

/** True for any network-level failure the transport knows how to retry. */
export function isTransportError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (CONNECT_CODES.has(code) || EXCHANGE_CODES.has(code));
}

/** What failed in one attempt. */
export type AttemptFailure =
  | { kind: 'status'; status: number; retryAfter?: string | undefined }
  | { kind: 'error'; error: unknown };

/**
 * Decides whether an attempt may be repeated.
 * @param method HTTP method of the request.
 * @param failure the status or error of the attempt.
 * @param retryNonIdempotent caller allows repeating POST/PATCH.
 */
export function isRetryable(
  method: HttpMethod,
  failure: AttemptFailure,
  retryNonIdempotent = false,
): boolean {
  const safe = IDEMPOTENT.has(method) || retryNonIdempotent;
  if (failure.kind === 'status') {
    if (!RETRY_STATUSES.has(failure.status)) return false;
    return safe || failure.status === 429;
  }
  if (isConnectError(failure.error)) return true;
  return safe && isTransportError(failure.error);
}

/**
 * Parses a `Retry-After` header.
 * @param value header value: delay in seconds or an HTTP date.
 * @param nowMs current time (epoch ms), for the date form.
 * @returns the delay in ms (≥ 0), or undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Delay before retry number `retry` (1 = the first retry).
 * @param retry 1-based retry number.
 * @param options backoff knobs.
 * @param random source in [0, 1) (inject a constant in tests).
 * @param retryAfterMs a server-requested delay that replaces the backoff.
 */
export function retryDelay(
  retry: number,
  options: RetryOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) {
    return Math.min(retryAfterMs, options.maxRetryAfterMs ?? DEFAULT_RETRY_OPTIONS.maxRetryAfterMs);
  }
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * exp);
}
