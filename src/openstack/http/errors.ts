/**
 * @module Typed errors of the OpenStack services, built from the HTTP status and the service's error body
 * (Neutron `NeutronError`, Octavia `faultcode`/`faultstring`, Keystone `error`). Each extends a category of
 * src/common/errors so services never look at HTTP codes (ARCHITECTURE.md §4).
 *
 * Category choices (documented in docs/openstack-client.md):
 * - `OverQuota` and `IpAddressGenerationFailure` (subnet exhausted) are `NotReadyError`: retrying later can
 *   succeed once something is released; the controller requeues them.
 * - `PortInUse`, `SubnetInUse`, `NetworkInUse`, `MacAddressInUse`, `IpAddressAlreadyAllocated` are
 *   `ConflictError`: the caller asked for something that collides with existing state.
 * - Octavia's "immutable" 409 (load balancer in `PENDING_*`) is `NotReadyError` (`Immutable`).
 * - Any other 5xx is `ServerError` (`NotReadyError`); it is not retried by the transport because a failed
 *   POST may still have been applied.
 */
import {
  AuthError,
  ConfigurationError,
  ConflictError,
  KuryrError,
  NotFoundError,
  NotReadyError,
  TimeoutError,
  ValidationError,
  type KuryrErrorOptions,
} from '../../common/errors/index.js';
import { parseErrorBody } from './error-body.js';

/** What every OpenStack HTTP error carries besides the message. */
export interface OpenStackErrorInfo {
  /** HTTP status; 0 for transport errors without a reply. */
  status: number;
  /** The service's error type: Neutron `NeutronError.type`, Octavia `faultcode`, Keystone `error.title`. */
  type: string | undefined;
  /** `x-openstack-request-id` of the failed reply, for the operator to grep the server logs. */
  requestId: string | undefined;
  /** `'network'`, `'load-balancer'`, `'identity'`. */
  serviceType: string | undefined;
}

/** Constructor options of the OpenStack error classes. */
export type OpenStackErrorOptions = Partial<OpenStackErrorInfo> & KuryrErrorOptions;

function details(o: OpenStackErrorOptions): Record<string, unknown> {
  return {
    ...o.details,
    status: o.status ?? 0,
    type: o.type,
    requestId: o.requestId,
    serviceType: o.serviceType,
  };
}

type CategoryClass = new (message: string, options?: KuryrErrorOptions) => KuryrError;

/** A class of `Category` that also carries the OpenStack fields. */
type OpenStackErrorClass<C extends CategoryClass> = new (
  message: string,
  o?: OpenStackErrorOptions,
) => InstanceType<C> & OpenStackErrorInfo;

/**
 * Adds the OpenStack fields to an error category, so each condition below is one line that picks its
 * category (NotFoundError, ConflictError …) and its default status.
 */
function openStackError<C extends CategoryClass>(
  Category: C,
  defaultStatus: number,
): OpenStackErrorClass<C> {
  const Base: CategoryClass = Category;
  class WithInfo extends Base implements OpenStackErrorInfo {
    readonly status: number;
    readonly type: string | undefined;
    readonly requestId: string | undefined;
    readonly serviceType: string | undefined;
    constructor(message: string, o: OpenStackErrorOptions = {}) {
      super(message, { cause: o.cause, details: details(o) });
      this.status = o.status ?? defaultStatus;
      this.type = o.type;
      this.requestId = o.requestId;
      this.serviceType = o.serviceType;
    }
  }
  return WithInfo as unknown as OpenStackErrorClass<C>;
}

/** 404: the object does not exist. */
export class NotFound extends openStackError(NotFoundError, 404) {
  override readonly name: string = 'NotFound';
}

/** 409 without a more specific type. */
export class Conflict extends openStackError(ConflictError, 409) {
  override readonly name: string = 'Conflict';
}

/** Neutron `IpAddressAlreadyAllocated`: the fixed IP asked for is taken. */
export class IpAddressAlreadyAllocated extends Conflict {
  override readonly name: string = 'IpAddressAlreadyAllocated';
}
/** Neutron `PortInUse`: the port is bound to a device. */
export class PortInUse extends Conflict {
  override readonly name: string = 'PortInUse';
}
/** Neutron `SubnetInUse`: the subnet still has allocated addresses. */
export class SubnetInUse extends Conflict {
  override readonly name: string = 'SubnetInUse';
}
/** Neutron `NetworkInUse`: the network still has ports. */
export class NetworkInUse extends Conflict {
  override readonly name: string = 'NetworkInUse';
}
/** Neutron `MacAddressInUse`: the MAC address asked for is taken on that network. */
export class MacAddressInUse extends Conflict {
  override readonly name: string = 'MacAddressInUse';
}

/** Retryable conditions: 429/502/503/504 and connection errors (status 0). */
export class ServiceUnavailable extends openStackError(NotReadyError, 0) {
  override readonly name: string = 'ServiceUnavailable';
}

/** Neutron `OverQuota` (409) or Octavia quota (403 "Quota has been met"): free something or raise the quota. */
export class OverQuota extends ServiceUnavailable {
  override readonly name: string = 'OverQuota';
}
/** Neutron `IpAddressGenerationFailure` (409): no free address left in the subnet(s). */
export class IpAddressGenerationFailure extends ServiceUnavailable {
  override readonly name: string = 'IpAddressGenerationFailure';
}
/** Octavia 409 "… is immutable and cannot be updated": the load balancer is in a `PENDING_*` state. */
export class Immutable extends ServiceUnavailable {
  override readonly name: string = 'Immutable';
}
/** 500 and other unexpected 5xx. Not retried by the transport (a POST may have been applied). */
export class ServerError extends ServiceUnavailable {
  override readonly name: string = 'ServerError';
}

/**
 * 412: a compare-and-swap update (`If-Match: revision_number=N`) lost a race — the object changed since it
 * was read. Re-read and retry, hence `NotReadyError`.
 */
export class PreconditionFailed extends openStackError(NotReadyError, 412) {
  override readonly name: string = 'PreconditionFailed';
}

/** 400 (and 422): the service rejected the request body or filters. */
export class BadRequest extends openStackError(ValidationError, 400) {
  override readonly name: string = 'BadRequest';
}

/** 401: wrong or expired credentials. */
export class Unauthorized extends openStackError(AuthError, 401) {
  override readonly name: string = 'Unauthorized';
}

/** 403: authenticated but not allowed (e.g. `binding:host_id` needs the admin role). */
export class Forbidden extends Unauthorized {
  override readonly name: string = 'Forbidden';
}

/** The per-call deadline expired (including retries). */
export class RequestTimeout extends openStackError(TimeoutError, 0) {
  override readonly name: string = 'RequestTimeout';
}

/**
 * The TLS handshake failed verification (unknown CA, self-signed, wrong host name, client certificate
 * refused): a configuration problem (cafile/certfile/keyfile/insecure), never retried.
 */
export class TlsError extends openStackError(ConfigurationError, 0) {
  override readonly name: string = 'TlsError';
}

/** Any other non-2xx status (3xx, 405, 406, 415 …): a bug on our side, not retryable. */
export class UnexpectedResponse extends openStackError(KuryrError, 0) {
  override readonly name: string = 'UnexpectedResponse';
}

type ErrorCtor = new (message: string, o?: OpenStackErrorOptions) => Error;

/** Neutron `NeutronError.type` values with their own class; other 409 types become `Conflict`. */
const NEUTRON_TYPES: Readonly<Record<string, ErrorCtor>> = {
  OverQuota: OverQuota,
  IpAddressAlreadyAllocated: IpAddressAlreadyAllocated,
  IpAddressInUse: IpAddressAlreadyAllocated,
  PortInUse: PortInUse,
  SubnetInUse: SubnetInUse,
  NetworkInUse: NetworkInUse,
  MacAddressInUse: MacAddressInUse,
  IpAddressGenerationFailure: IpAddressGenerationFailure,
};

function classFor(status: number, type: string | undefined, message: string): ErrorCtor {
  const specific = type === undefined ? undefined : NEUTRON_TYPES[type];
  if (specific !== undefined) return specific;
  if (status === 404) return NotFound;
  if (status === 409) return /immutable/i.test(message) ? Immutable : Conflict;
  if (status === 400 || status === 422) return BadRequest;
  if (status === 401) return Unauthorized;
  // Octavia quota errors are 403 with "Quota has been met for resources: …".
  if (status === 403) return /quota/i.test(message) ? OverQuota : Forbidden;
  if (status === 408) return RequestTimeout;
  if (status === 412) return PreconditionFailed;
  if (status === 429 || status === 502 || status === 503 || status === 504)
    return ServiceUnavailable;
  if (status >= 500) return ServerError;
  return UnexpectedResponse;
}

/**
 * Builds the typed error for a non-2xx reply of an OpenStack service.
 * @param status HTTP status of the reply.
 * @param body the decoded JSON body, the raw text, or undefined.
 * @param requestId `x-openstack-request-id` of the reply.
 * @param serviceType `'network'`, `'load-balancer'`, `'identity'` … (used in messages).
 * @returns an error of the matching class; `message` is the server's message when it sent one.
 * @example
 * errorFromResponse(404, {NeutronError: {type: 'PortNotFound', message: 'Port x could not be found.', detail: ''}},
 *   'req-1', 'network') // → NotFound { status: 404, type: 'PortNotFound', requestId: 'req-1' }
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  requestId: string | undefined,
  serviceType: string,
): Error & OpenStackErrorInfo {
  const parsed = parseErrorBody(body);
  const message = parsed.message ?? `${serviceType} service replied HTTP ${status}`;
  const Ctor = classFor(status, parsed.type, message);
  return new Ctor(message, {
    status,
    type: parsed.type,
    requestId,
    serviceType,
  }) as Error & OpenStackErrorInfo;
}
