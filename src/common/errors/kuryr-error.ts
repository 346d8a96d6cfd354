/**
 * @module The one error hierarchy of kuryr (ARCHITECTURE.md §4). Clients translate transport errors into
 * these categories; services and handlers never look at HTTP codes; edges (Docker JSON, CNI JSON, controller
 * requeue) translate them back out.
 */

/** Options every kuryr error accepts. */
export interface KuryrErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
  /** Extra machine-readable context, kept out of the message (never secrets). */
  details?: Record<string, unknown>;
}

/** Base class of every error kuryr raises on purpose. */
export class KuryrError extends Error {
  override readonly name: string = 'KuryrError';
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: KuryrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
  }
}

/** Bad input: a schema violation, a bad environment, an invalid option combination. Nothing was changed. */
export class ValidationError extends KuryrError {
  override readonly name: string = 'ValidationError';
}

/** Bad configuration or a missing mandatory cloud feature: fatal at start-up. */
export class ConfigurationError extends KuryrError {
  override readonly name: string = 'ConfigurationError';
}

/** The object does not exist (Neutron/Kubernetes 404, missing link or netns). Delete paths treat it as success. */
export class NotFoundError extends KuryrError {
  override readonly name: string = 'NotFoundError';
}

/** The request conflicts with existing state (more than one match, shared mismatch, UID mismatch, in use). */
export class ConflictError extends KuryrError {
  override readonly name: string = 'ConflictError';
}

/** Not ready yet; retrying later may succeed (port not ACTIVE, LB PENDING_*, quota, 5xx, connection reset). */
export class NotReadyError extends KuryrError {
  override readonly name: string = 'NotReadyError';
}

/** A bounded wait or a request deadline expired. */
export class TimeoutError extends KuryrError {
  override readonly name: string = 'TimeoutError';
}

/** Authentication or authorisation failed (wrong credentials, missing role). */
export class AuthError extends KuryrError {
  override readonly name: string = 'AuthError';
}

/** A feature is not supported by this build, this kernel or this cloud. */
export class UnsupportedError extends KuryrError {
  override readonly name: string = 'UnsupportedError';
}
