/**
 * @module Translates kuryr errors into the CNI daemon's HTTP replies (ARCHITECTURE.md §4): an HTTP status
 * plus a `{code, msg, details}` body whose code is a CNI spec code. The only place the daemon maps errors.
 */
import {
  isConflictError,
  isKuryrError,
  isNotFoundError,
  isNotReadyError,
  isTimeoutError,
  isValidationError,
  KuryrError,
  type KuryrErrorOptions,
} from '../common/errors/index.js';

/** Body of an error reply, as both shims read it. */
export interface CniErrorBody {
  code: number;
  msg: string;
  details: string;
}

/** An error that names the CNI code it must be reported with (e.g. 7 for an unknown network). */
export class CniCodedError extends KuryrError {
  override readonly name: string = 'CniCodedError';

  constructor(
    readonly cniCode: number,
    readonly httpStatus: number,
    message: string,
    options: KuryrErrorOptions = {},
  ) {
    super(message, options);
  }
}

function detailsOf(err: Error): string {
  const cause = err.cause instanceof Error ? err.cause.message : '';
  const d = isKuryrError(err) && err.details ? JSON.stringify(err.details) : '';
  return [cause, d].filter((s) => s !== '').join('; ');
}

/** Status and body for `err`; unknown errors become 500 / 999 with a generic message (logged by the caller). */
export function toCniErrorReply(err: unknown): { status: number; body: CniErrorBody } {
  if (err instanceof CniCodedError) {
    return {
      status: err.httpStatus,
      body: { code: err.cniCode, msg: err.message, details: detailsOf(err) },
    };
  }
  if (!(err instanceof Error) || !isKuryrError(err)) {
    return {
      status: 500,
      body: { code: 999, msg: 'internal error in kuryr-daemon', details: 'see the daemon log' },
    };
  }
  const body = (code: number) => ({ code, msg: err.message, details: detailsOf(err) });
  if (isValidationError(err)) return { status: 400, body: body(4) };
  if (isNotFoundError(err)) return { status: 410, body: body(3) };
  if (isNotReadyError(err) || isTimeoutError(err)) return { status: 504, body: body(11) };
  if (isConflictError(err)) return { status: 500, body: body(999) };
  return { status: 500, body: body(999) };
}
