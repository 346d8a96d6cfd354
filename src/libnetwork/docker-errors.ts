/**
 * @module Translates the kuryr error categories into Docker plugin replies (ARCHITECTURE.md §4, PROTOCOLS.md A.2):
 * every failure is non-200 + `{"Err": msg}` (IPAM calls also carry `Error`), never 200 with an error, never 404
 * for a domain NotFound (dockerd reads 404 as "not implemented").
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  isAuthError,
  isConfigurationError,
  isConflictError,
  isKuryrError,
  isNotFoundError,
  isNotReadyError,
  isTimeoutError,
  isUnsupportedError,
  isValidationError,
} from '../common/errors/index.js';

/** A reply to dockerd. */
export interface DockerReply {
  status: number;
  body: Record<string, unknown>;
}

/** Status code of an error category. */
export function statusOf(error: unknown): number {
  if (isValidationError(error)) return 400;
  if (isConflictError(error)) return 409;
  if (isNotReadyError(error) || isTimeoutError(error)) return 503;
  if (isUnsupportedError(error)) return 501;
  if (isAuthError(error)) return 502;
  if (isConfigurationError(error)) return 500;
  if (isNotFoundError(error)) return 500; // NOTE: never 404 — PROTOCOLS.md A.2
  return 500;
}

// Secrets must never reach dockerd (CLI output, daemon logs): strip credentials in URLs and token-like words.
function scrub(message: string): string {
  return message
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@')
    .replace(/(X-Auth-Token|token|password)(["'=:\s]+)[^\s"',}]+/gi, '$1$2***');
}

/**
 * Builds the reply for a failed call. Known categories keep their message; anything else (a bug) is logged
 * with an id and answered as `internal error (log id …)`.
 * @param ipam also set `Error` — dockerd reads IPAM errors from it (PROTOCOLS.md A.7 #3).
 */
export function errorReply(error: unknown, ipam: boolean, log: Logger, call: string): DockerReply {
  const status = statusOf(error);
  let message: string;
  if (isKuryrError(error)) {
    message = scrub(error.message);
    log.warn({ call, err: error }, 'call failed');
  } else {
    const id = randomBytes(4).toString('hex');
    message = `internal error (log id ${id}); see the kuryr log`;
    log.error({ call, err: error, logId: id }, 'unexpected failure');
  }
  const body: Record<string, unknown> = { Err: message };
  if (ipam) body.Error = message;
  return { status, body };
}
