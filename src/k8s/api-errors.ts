/**
 * @module Translation of Kubernetes API failures into kuryr's error categories (ARCHITECTURE.md §4):
 * the only place that looks at Kubernetes HTTP codes. The API `Status` (reason, message) is kept in
 * `details` so callers can tell "optimistic-lock lost" (409 Conflict) from "already exists".
 */
import {
  AuthError,
  ConflictError,
  NotFoundError,
  NotReadyError,
  TimeoutError,
  ValidationError,
  isKuryrError,
  type KuryrError,
} from '../common/errors/index.js';

/** The parts of a `Status` object we use. */
export interface ApiStatus {
  code?: number;
  reason?: string;
  message?: string;
}

/** What failed, for messages: `GET /api/v1/namespaces/x/pods/y`. */
export interface ApiCall {
  method: string;
  path: string;
}

/**
 * Error for a non-2xx reply.
 * - 404 → NotFoundError · 409 → ConflictError (`details.reason` `Conflict` = stale resourceVersion,
 *   `AlreadyExists`) · 400/422 → ValidationError · 401 → AuthError
 * - 403 on a terminating namespace → ConflictError (it will never succeed; the namespace is going away);
 *   other 403 → AuthError (RBAC: see deploy/kubernetes/rbac.yaml)
 * - 410 Gone → NotReadyError with `details.code` 410 (watch/list resourceVersion too old: relist)
 * - 429, 5xx, anything else → NotReadyError (retry later)
 */
export function apiError(status: number, body: ApiStatus | undefined, call: ApiCall): KuryrError {
  const reason = body?.reason ?? '';
  const message = body?.message ?? `HTTP ${status}`;
  const text = `${call.method} ${call.path}: ${message}`;
  const details = { code: status, reason, method: call.method, path: call.path };
  switch (status) {
    case 404:
      return new NotFoundError(text, { details });
    case 409:
      return new ConflictError(text, { details });
    case 400:
    case 422:
      return new ValidationError(text, { details });
    case 401:
      return new AuthError(`${text} (check [kubernetes] token_file / client certificate)`, {
        details,
      });
    case 403:
      if (/being terminated/i.test(message)) return new ConflictError(text, { details });
      return new AuthError(`${text} (check the RBAC rules of the service account)`, { details });
    default:
      return new NotReadyError(text, { details });
  }
}

/**
 * Error for a transport failure (connection refused/reset, TLS, deadline).
 *
 * @param timedOut true when our own deadline fired
 */
export function transportError(cause: unknown, call: ApiCall, timedOut: boolean): KuryrError {
  // NOTE: DOMException (AbortSignal reasons) is checked first: the shared guards walk prototypes and
  // reading `name` on DOMException.prototype throws ERR_INVALID_THIS.
  if (!(cause instanceof DOMException) && isKuryrError(cause)) return cause;
  const text = `${call.method} ${call.path}`;
  if (timedOut) return new TimeoutError(`${text}: no reply before the deadline`, { cause });
  const why =
    cause instanceof Error
      ? cause.cause instanceof Error
        ? cause.cause.message
        : cause.message
      : String(cause);
  return new NotReadyError(`${text}: Kubernetes API unreachable (${why})`, { cause });
}

/** True for 410 Gone (the resourceVersion we asked for was compacted away: relist). */
export function isResourceExpired(error: unknown): boolean {
  return !(error instanceof DOMException) && isKuryrError(error) && error.details?.code === 410;
}

/** True for a 409 caused by a stale resourceVersion (re-read and try again), not by AlreadyExists. */
export function isStaleConflict(error: unknown): boolean {
  if (error instanceof DOMException || !isKuryrError(error)) return false;
  return error.details?.code === 409 && error.details.reason === 'Conflict';
}
