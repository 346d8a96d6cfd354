/**
 * @module A per-call deadline combined with the caller's signal, so a call can tell "my deadline
 * expired" (→ RequestTimeout) from "the caller gave up" (→ the caller's abort reason).
 */
import { RequestTimeout } from './errors.js';

/** A running deadline; call `dispose()` when the call is over to clear the timer. */
export interface Deadline {
  /** Aborts when the deadline expires or the caller's signal aborts. */
  readonly signal: AbortSignal;
  /** Epoch ms at which the deadline expires. */
  readonly at: number;
  /** True once the deadline itself (not the caller) aborted the signal. */
  expired(): boolean;
  dispose(): void;
}

/**
 * Starts a deadline.
 * @param ms time allowed from now.
 * @param caller the caller's signal, if any.
 * @param now clock (epoch ms).
 */
export function startDeadline(
  ms: number,
  caller: AbortSignal | undefined,
  now: () => number,
): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new RequestTimeout(`deadline of ${ms} ms expired`));
  }, ms);
  // Never keep the process alive only for a deadline.
  timer.unref();
  const onAbort = (): void => controller.abort(caller?.reason);
  if (caller !== undefined) {
    if (caller.aborted) onAbort();
    else caller.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    at: now() + ms,
    expired: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}
