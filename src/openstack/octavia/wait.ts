/**
 * @module Bounded polling of an Octavia load balancer's `provisioning_status` (wait until ACTIVE, wait
 * until deleted), with exponential backoff and an injectable clock so tests need no real sleeps.
 */
import { NotFoundError, TimeoutError, isNotFoundError } from '../../common/errors/index.js';
import { ProvisioningError } from './provisioning-error.js';
import type { LoadBalancer } from './types.js';

/** Time source and sleep; the default uses the real clock. */
export interface WaitClock {
  now(): number;
  /** Resolves after `ms`, rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Options of `waitActive` / `waitDeleted`. */
export interface WaitOptions {
  /** Give up after this long (TimeoutError). @default 300000 (5 min; amphora boots take minutes) */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** First delay between polls. @default 500 */
  initialDelayMs?: number;
  /** Backoff cap (the delay doubles up to this). @default 5000 */
  maxDelayMs?: number;
}

/** The real clock. */
export const systemClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) return reject(signal.reason as Error);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

type Fetch = (signal?: AbortSignal) => Promise<LoadBalancer>;

/**
 * Polls until the load balancer is ACTIVE.
 * @throws ProvisioningError (ConflictError) on ERROR; NotFoundError when it is gone (or DELETED);
 *   TimeoutError when the deadline passes in a `PENDING_*` state; the signal's reason when aborted.
 */
export async function waitActive(
  fetch: Fetch,
  lbId: string,
  clock: WaitClock,
  opts: WaitOptions = {},
): Promise<LoadBalancer> {
  let last: LoadBalancer | undefined;
  await poll(
    clock,
    opts,
    `load balancer ${lbId} to become ACTIVE`,
    () => last?.provisioning_status,
    async () => {
      last = await fetch(opts.signal);
      switch (last.provisioning_status) {
        case 'ACTIVE':
          return true;
        case 'ERROR':
          throw new ProvisioningError(
            `Octavia load balancer ${lbId} is in provisioning_status ERROR (operating_status ` +
              `${last.operating_status}); delete it (cascade) and recreate it, see the Octavia worker log`,
            { details: details(last) },
          );
        case 'DELETED':
          throw new NotFoundError(`Octavia load balancer ${lbId} was deleted`, {
            details: details(last),
          });
        default:
          return false;
      }
    },
  );
  return last as LoadBalancer;
}

/**
 * Polls until the load balancer is gone (404 or DELETED).
 * @throws ProvisioningError when it went to ERROR instead; TimeoutError at the deadline.
 */
export async function waitDeleted(
  fetch: Fetch,
  lbId: string,
  clock: WaitClock,
  opts: WaitOptions = {},
): Promise<void> {
  let status: string | undefined;
  await poll(
    clock,
    opts,
    `load balancer ${lbId} to be deleted`,
    () => status,
    async () => {
      try {
        const lb = await fetch(opts.signal);
        status = lb.provisioning_status;
        if (status === 'DELETED') return true;
        if (status === 'ERROR') {
          throw new ProvisioningError(
            `Octavia load balancer ${lbId} went to ERROR while being deleted; delete it again`,
            { details: details(lb) },
          );
        }
        return false;
      } catch (error) {
        if (isNotFoundError(error)) return true;
        throw error;
      }
    },
  );
}

function details(lb: LoadBalancer): Record<string, unknown> {
  return {
    loadBalancerId: lb.id,
    provisioningStatus: lb.provisioning_status,
    operatingStatus: lb.operating_status,
  };
}

/** Calls `check` until it returns true, sleeping with capped exponential backoff, within the deadline. */
async function poll(
  clock: WaitClock,
  opts: WaitOptions,
  what: string,
  lastStatus: () => string | undefined,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadlineMs = opts.deadlineMs ?? 300_000;
  const maxDelay = opts.maxDelayMs ?? 5_000;
  const end = clock.now() + deadlineMs;
  let delay = opts.initialDelayMs ?? 500;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (await check()) return;
    const left = end - clock.now();
    if (left <= 0) {
      throw new TimeoutError(
        `timed out after ${deadlineMs} ms waiting for ${what} (last provisioning_status ` +
          `${lastStatus() ?? 'unknown'})`,
        { details: { provisioningStatus: lastStatus() } },
      );
    }
    await clock.sleep(Math.min(delay, left), opts.signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}
