/**
 * @module The HTTP transport of every OpenStack client: one undici `request()` per attempt over the
 * session's Agent, JSON in and out, retries with backoff + full jitter (retry-policy.ts), typed errors
 * (errors.ts), one debug line per attempt without secrets.
 *
 * Guarantees:
 * - Never runs past the deadline it is given: a backoff or `Retry-After` that would cross it ends the
 *   retries early with the last error.
 * - Only 2xx replies resolve; everything else rejects with an OpenStack error class.
 * - Tokens never reach the log: headers are not logged, and the query string is left out of the path.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import type { Deadline } from './deadline.js';
import { errorFromResponse, RequestTimeout, ServiceUnavailable, TlsError } from './errors.js';
import {
  DEFAULT_RETRY_OPTIONS,
  errorCode,
  isRetryable,
  isTlsVerificationError,
  parseRetryAfter,
  retryDelay,
  type AttemptFailure,
  type RetryOptions,
} from './retry-policy.js';
import type { ApiRequest, ApiResponse } from './types.js';
import { buildUrl } from './url.js';

/** One finished attempt, as reported to a {@link RequestObserver}. */
export interface RequestObservation {
  /** Service type (`network`, `load-balancer`, `identity` …). */
  service: string;
  method: string;
  /** The HTTP status, or `'error'` when no reply came (connection failure, TLS, timeout, abort). */
  status: number | 'error';
  durationMs: number;
}

/**
 * Told about every attempt the transport makes (metrics). It must not throw; it is called
 * synchronously on the request path, so it must be cheap.
 */
export type RequestObserver = (observation: RequestObservation) => void;

/** Injected time, randomness and the request observer (tests use fakes). */
export interface TransportDeps {
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called once per attempt (not once per call: a retried call reports each try). */
  observe?: RequestObserver;
}

/** Construction options of the transport. */
export interface TransportOptions {
  dispatcher: Dispatcher;
  retries?: Partial<RetryOptions>;
  userAgent?: string;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The request id of a reply (Neutron/Keystone/Octavia use x-openstack-request-id). */
export function requestIdOf(headers: Headers): string | undefined {
  return header(headers, 'x-openstack-request-id') ?? header(headers, 'x-compute-request-id');
}

function decode(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describe(error: unknown): string {
  // Node reports a failed connect to every address of a host as an AggregateError with an empty message.
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
    return describe(error.errors[0]);
  }
  const code = errorCode(error);
  const msg = error instanceof Error ? error.message : String(error);
  return code !== undefined && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/** Sends requests to OpenStack endpoints. One instance per session; safe for concurrent use. */
export class HttpTransport {
  private readonly retries: Required<RetryOptions>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly observer: RequestObserver | undefined;

  constructor(
    private readonly options: TransportOptions,
    private readonly log: Logger,
    deps: TransportDeps = {},
  ) {
    this.retries = { ...DEFAULT_RETRY_OPTIONS, ...options.retries };
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms, signal) => sleepTimer(ms, undefined, { signal }));
    this.observer = deps.observe;
  }

  /** Reports one attempt; a faulty observer never breaks a request. */
  private observe(service: string, method: string, status: number | 'error', started: number) {
    if (this.observer === undefined) return;
    try {
      this.observer({ service, method, status, durationMs: this.now() - started });
    } catch (err) {
      this.log.debug({ err }, 'openstack request observer failed');
    }
  }

  /**
   * Sends one call, retrying as the policy allows, within `deadline`.
   * @param serviceType for messages and logs.
   * @param base the service endpoint the relative `req.path` is joined to.
   * @throws the classes of errors.ts; the caller's abort reason when the caller aborted.
   */
  async send<T>(
    serviceType: string,
    base: string,
    req: ApiRequest,
    deadline: Deadline,
  ): Promise<ApiResponse<T>> {
    const url = buildUrl(base, req.path, req.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'kuryr-ts',
      ...req.headers,
    };
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const where = `${serviceType} ${req.method} ${url.pathname}`;
    let attempt = 0;
    let lastError: unknown;
    for (;;) {
      attempt += 1;
      const started = this.now();
      let failure: AttemptFailure;
      let error: Error;
      try {
        const res = await request(url, {
          dispatcher: this.options.dispatcher,
          method: req.method,
          headers,
          body,
          signal: deadline.signal,
        });
        const text = await res.body.text();
        const resHeaders = res.headers;
        const requestId = requestIdOf(resHeaders);
        this.observe(serviceType, req.method, res.statusCode, started);
        this.log.debug(
          {
            service: serviceType,
            method: req.method,
            path: url.pathname,
            status: res.statusCode,
            durationMs: this.now() - started,
            requestId,
            attempt,
          },
          'openstack request',
        );
        if (res.statusCode >= 200 && res.statusCode < 300) {
          return {
            status: res.statusCode,
            body: decode(text) as T,
            headers: resHeaders,
            requestId,
          };
        }
        failure = {
          kind: 'status',
          status: res.statusCode,
          retryAfter: header(resHeaders, 'retry-after'),
        };
        error = errorFromResponse(res.statusCode, decode(text), requestId, serviceType);
      } catch (err) {
        // No (complete) reply: transport failure, TLS, deadline or caller abort — one 'error' attempt.
        this.observe(serviceType, req.method, 'error', started);
        if (deadline.signal.aborted)
          throw this.aborted(deadline, serviceType, where, attempt, lastError);
        this.log.debug(
          {
            service: serviceType,
            method: req.method,
            path: url.pathname,
            err: describe(err),
            durationMs: this.now() - started,
            attempt,
          },
          'openstack request failed',
        );
        failure = { kind: 'error', error: err };
        if (isTlsVerificationError(err)) {
          throw new TlsError(
            `TLS with the ${serviceType} service at ${url.origin} failed: ${describe(err)} ` +
              '(check cafile / certfile / keyfile)',
            { cause: err, serviceType, type: errorCode(err) },
          );
        }
        error = new ServiceUnavailable(
          `${serviceType} service at ${url.origin} is unreachable (${req.method} ${url.pathname}): ` +
            `${describe(err)}`,
          { cause: err, serviceType, status: 0 },
        );
      }
      lastError = error;
      if (
        attempt >= this.retries.attempts ||
        !isRetryable(req.method, failure, req.retryNonIdempotent)
      ) {
        throw this.final(error, attempt);
      }
      const retryAfter =
        failure.kind === 'status' ? parseRetryAfter(failure.retryAfter, this.now()) : undefined;
      const delay = retryDelay(attempt, this.retries, this.random, retryAfter);
      if (this.now() + delay >= deadline.at) throw this.final(error, attempt);
      try {
        await this.sleep(delay, deadline.signal);
      } catch {
        throw this.aborted(deadline, serviceType, where, attempt, lastError);
      }
    }
  }

  private final(error: Error, attempts: number): Error {
    if (attempts > 1 && error instanceof ServiceUnavailable && error.status === 0) {
      error.message += ` (gave up after ${attempts} attempts)`;
    }
    return error;
  }

  /** The error for an aborted call: the caller's reason, or RequestTimeout naming the last failure. */
  private aborted(
    deadline: Deadline,
    serviceType: string,
    where: string,
    attempts: number,
    last: unknown,
  ): unknown {
    if (!deadline.expired()) return deadline.signal.reason ?? last;
    const lastMsg = last instanceof Error ? `; last error: ${last.message}` : '';
    return new RequestTimeout(
      `${where} did not complete before its deadline (${attempts} attempt(s)${lastMsg})`,
      { cause: last, serviceType },
    );
  }
}
