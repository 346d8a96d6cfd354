/**
 * @module The shim's own error type: a CNI error object `{cniVersion, code, msg, details}` (PROTOCOLS.md
 * B.1). The shim imports only node builtins, so it cannot use src/common/errors; the daemon translates its
 * KuryrErrors into the same codes before they reach here.
 */

/** CNI error codes kuryr-cni emits. */
export const CniCode = {
  INCOMPATIBLE_VERSION: 1,
  UNSUPPORTED_FIELD: 2,
  UNKNOWN_CONTAINER: 3,
  INVALID_ENV: 4,
  IO_FAILURE: 5,
  DECODE: 6,
  INVALID_CONFIG: 7,
  TRY_AGAIN_LATER: 11,
  NOT_AVAILABLE: 50,
  NOT_AVAILABLE_DEGRADED: 51,
  INTERNAL: 999,
} as const;

/** A failure that the shim prints as a CNI error object and turns into exit status 1. */
export class CniShimError extends Error {
  override readonly name = 'CniShimError';

  constructor(
    readonly code: number,
    msg: string,
    readonly details = '',
  ) {
    super(msg);
  }

  /** The error object in the wire shape, in the request's cniVersion. */
  toJSON(cniVersion: string): Record<string, unknown> {
    return { cniVersion, code: this.code, msg: this.message, details: this.details };
  }
}
