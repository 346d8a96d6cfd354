/**
 * @module `RetryPolicy`: what the controller does with a handler error (ARCHITECTURE.md §4).
 *
 * - NotReadyError, TimeoutError, a 409 from a stale resourceVersion, NotFoundError outside delete paths,
 *   and unknown errors (bugs) ⇒ requeue after `min(cap, base · 2^attempt)` with full jitter in
 *   [delay/2, delay] — the Python retry handler's exponential backoff, capped at 60 s;
 * - ValidationError, ConflictError, ConfigurationError, AuthError, UnsupportedError ⇒ terminal: no
 *   requeue, a Warning Event on the object (retrying cannot fix the input);
 * - a key that keeps failing past the budget (default ~500 s of accumulated backoff) becomes terminal.
 */
import {
  isAuthError,
  isConfigurationError,
  isConflictError,
  isNotReadyError,
  isTimeoutError,
  isUnsupportedError,
  isValidationError,
} from '../../common/errors/index.js';
import { isStaleConflict } from '../../k8s/api-errors.js';

/** Outcome of {@link RetryPolicy.decide}. */
export type RetryDecision =
  { action: 'requeue'; delayMs: number; reason: string } | { action: 'terminal'; reason: string };

/** Options of {@link RetryPolicy}. */
export interface RetryOptions {
  /** First delay (ms). @default 1000 */
  baseMs?: number;
  /** Delay cap (ms). @default 60000 */
  capMs?: number;
  /** Give up after this much accumulated backoff for one key (ms). @default 500000 */
  budgetMs?: number;
  /** Random source in [0,1) (tests inject a fixed one). @default Math.random */
  random?: () => number;
}

/** Error classification + backoff. Pure: state (attempt, spent) is kept by the caller. */
export class RetryPolicy {
  private readonly base: number;
  private readonly cap: number;
  private readonly budget: number;
  private readonly random: () => number;

  constructor(o: RetryOptions = {}) {
    this.base = o.baseMs ?? 1000;
    this.cap = o.capMs ?? 60_000;
    this.budget = o.budgetMs ?? 500_000;
    this.random = o.random ?? Math.random;
  }

  /** True for errors retrying cannot fix. */
  static isTerminal(err: unknown): boolean {
    // an abort/timeout DOMException is transient (and the shared guards cannot inspect it safely)
    if (err instanceof DOMException || isStaleConflict(err)) return false;
    return (
      isValidationError(err) ||
      isConflictError(err) ||
      isConfigurationError(err) ||
      isAuthError(err) ||
      isUnsupportedError(err)
    );
  }

  /** Delay before retry number `attempt` (0-based), jittered. */
  delay(attempt: number): number {
    const full = Math.min(this.cap, this.base * 2 ** Math.min(attempt, 30));
    return Math.round(full / 2 + (full / 2) * this.random());
  }

  /**
   * Decide for the `attempt`-th failure of a key that has already waited `spentMs` in backoff.
   */
  decide(err: unknown, attempt: number, spentMs: number): RetryDecision {
    const kind = err instanceof Error ? err.name : 'error';
    if (RetryPolicy.isTerminal(err)) return { action: 'terminal', reason: kind };
    if (spentMs >= this.budget)
      return { action: 'terminal', reason: `retry budget spent (${kind})` };
    const expected =
      err instanceof DOMException ||
      isNotReadyError(err) ||
      isTimeoutError(err) ||
      isStaleConflict(err);
    return {
      action: 'requeue',
      delayMs: this.delay(attempt),
      reason: expected ? kind : `unexpected ${kind}`,
    };
  }
}
