/**
 * @module `LeaderElector`: active/passive leader election on a `coordination.k8s.io/v1` Lease
 * (`[kubernetes] controller_ha`). client-node has none; this is the usual Lease protocol.
 *
 * Guarantees:
 * - every write carries the resourceVersion it read (optimistic concurrency): two candidates racing for
 *   the same Lease get one 409, so at most one of them holds it;
 * - the holder renews every `retryPeriodMs`; a candidate takes over only after the holder's
 *   `renewTime + leaseDurationSeconds` has passed (or the holder released it);
 * - a leader that could not renew for `renewDeadlineMs` (< lease duration) steps down *before* anyone
 *   else may take over, so two leaders never overlap;
 * - a leader's renew call is cut off at its renew deadline, so a hung API call cannot stretch it;
 * - `release()` on shutdown empties `holderIdentity`, so a standby takes over at its next try.
 * `renewTime` comes back as a string (MicroTime): parsed with Date.parse. Time comes from an
 * injectable {@link Clock}.
 */
import type { Logger } from 'pino';
import { isConflictError, isNotFoundError } from '../common/errors/index.js';
import type { KubeApi } from './client.js';
import { KINDS } from './kinds.js';
import type { KubeObject } from './object.js';

/** Time source (fake in unit tests). */
export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** `spec` of a Lease. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

/** A Lease object. */
export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions {
  namespace: string;
  /** Lease name. @default 'kuryr-controller' */
  name?: string;
  /** Unique per process (pod name + random suffix). */
  identity: string;
  /** @default 15 */
  leaseDurationSeconds?: number;
  /** Give up leadership after this long without a successful renew (ms). @default 10000 */
  renewDeadlineMs?: number;
  /** Pause between tries (ms). @default 2000 */
  retryPeriodMs?: number;
  clock?: Clock;
  log: Logger;
  onStartedLeading?(): void;
  onStoppedLeading?(): void;
}

/** MicroTime with 6 fractional digits (the API's RFC3339Micro layout). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Leader election on one Lease. */
export class LeaderElector {
  private leader = false;
  private lastRenew = 0;
  private readonly name: string;
  private readonly clock: Clock;
  private readonly durationS: number;

  constructor(
    private readonly api: KubeApi,
    private readonly o: LeaderElectorOptions,
  ) {
    this.name = o.name ?? 'kuryr-controller';
    this.clock = o.clock ?? systemClock;
    this.durationS = o.leaseDurationSeconds ?? 15;
  }

  /** True while this process holds the Lease. */
  isLeader(): boolean {
    return this.leader;
  }

  /**
   * One step: create, renew or take over the Lease.
   *
   * @returns true when this process holds the Lease afterwards
   * @throws NotReadyError/TimeoutError/AuthError when the API fails (409 is a lost race: false)
   */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const me = this.o.identity;
    const o = signal ? { signal } : undefined;
    let lease: Lease;
    try {
      lease = await this.api.get(KINDS.lease, this.name, this.o.namespace, o);
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
      return this.write(() =>
        this.api.create(
          KINDS.lease,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.name, namespace: this.o.namespace },
            spec: this.spec(now, now, 0),
          },
          o,
        ),
      );
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const transitions = spec.leaseTransitions ?? 0;
    if (holder === me) {
      const acquired = spec.acquireTime ? Date.parse(spec.acquireTime) : now;
      return this.write(() =>
        this.api.replace(KINDS.lease, { ...lease, spec: this.spec(acquired, now, transitions) }, o),
      );
    }
    const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '') || 0;
    const duration = (spec.leaseDurationSeconds ?? this.durationS) * 1000;
    if (holder !== '' && renewed + duration > now) return this.observeOther();
    return this.write(() =>
      this.api.replace(
        KINDS.lease,
        { ...lease, spec: this.spec(now, now, holder === '' ? transitions : transitions + 1) },
        o,
      ),
    );
  }

  /**
   * Run the election until `signal` aborts, then release the Lease if held.
   * API failures are logged and retried at the next period.
   */
  async run(signal: AbortSignal): Promise<void> {
    const period = this.o.retryPeriodMs ?? 2000;
    const deadline = this.o.renewDeadlineMs ?? 10_000;
    while (!signal.aborted) {
      // A leader's renew may take only what is left of its renew deadline: a hung API call (the client
      // deadline is longer than the lease) must not keep it leading past the point where a standby may
      // already take over.
      const budget = this.leader
        ? Math.max(1, deadline - (this.clock.now() - this.lastRenew))
        : Math.max(1, deadline);
      try {
        await this.tryAcquireOrRenew(AbortSignal.any([signal, AbortSignal.timeout(budget)]));
      } catch (err) {
        this.o.log.warn({ err, lease: this.name }, 'leader election: Lease API call failed');
      }
      if (this.leader && this.clock.now() - this.lastRenew > deadline) this.setLeader(false);
      await this.clock.sleep(period, signal);
    }
    await this.release();
  }

  /** Give the Lease up (empty holder) if we hold it. Never throws. */
  async release(): Promise<void> {
    if (!this.leader) return;
    this.setLeader(false);
    try {
      const lease: Lease = await this.api.get(KINDS.lease, this.name, this.o.namespace);
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      await this.api.replace(KINDS.lease, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: null, renewTime: null, acquireTime: null },
      });
    } catch (err) {
      this.o.log.warn({ err, lease: this.name }, 'could not release the Lease; it will expire');
    }
  }

  private spec(acquired: number, renewed: number, transitions: number): LeaseSpec {
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.durationS,
      acquireTime: microTime(acquired),
      renewTime: microTime(renewed),
      leaseTransitions: transitions,
    };
  }

  private async write(fn: () => Promise<unknown>): Promise<boolean> {
    const at = this.clock.now();
    try {
      await fn();
    } catch (err) {
      if (isConflictError(err)) return this.observeOther(); // lost the race: someone else wrote first
      throw err;
    }
    this.lastRenew = at;
    this.setLeader(true);
    return true;
  }

  private observeOther(): boolean {
    this.setLeader(false);
    return false;
  }

  private setLeader(value: boolean): void {
    if (value === this.leader) return;
    this.leader = value;
    this.o.log.info(
      { lease: this.name, identity: this.o.identity },
      value ? 'became leader' : 'stopped leading',
    );
    try {
      if (value) this.o.onStartedLeading?.();
      else this.o.onStoppedLeading?.();
    } catch (err) {
      this.o.log.error({ err }, 'leader callback failed');
    }
  }
}
