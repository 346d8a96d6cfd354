/**
 * @module `KeyedQueue`: the controller's work queue of object keys (level-based: the worker re-reads the
 * object, the queue carries only its key).
 *
 * Guarantees:
 * - serial per key: a key never runs twice at the same time;
 * - concurrent across keys, at most `concurrency` workers;
 * - coalescing: adding a key that is already waiting is a no-op; adding a key that is running marks it
 *   dirty, and it runs once more after the current run (never more than once queued);
 * - FIFO among ready keys; delayed adds (`addAfter`) join when their timer fires (an earlier add wins);
 * - a worker that throws is reported to `onError` and the key is released.
 */

/** Timer functions (fake in tests). */
export interface QueueTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link KeyedQueue}. */
export interface KeyedQueueOptions {
  /** Process one key. */
  worker: (key: string) => Promise<void>;
  /** Maximum keys processed at once. @default 8 */
  concurrency?: number;
  onError?: (key: string, err: unknown) => void;
  timers?: QueueTimers;
}

const realTimers: QueueTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Work queue of keys. */
export class KeyedQueue {
  /** FIFO of ready keys; `head` avoids Array#shift, which is O(n) and made big bursts quadratic. */
  private ready: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, unknown>();
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly concurrency: number;
  private readonly timers: QueueTimers;

  constructor(private readonly o: KeyedQueueOptions) {
    this.concurrency = Math.max(1, o.concurrency ?? 8);
    this.timers = o.timers ?? realTimers;
  }

  /** Keys waiting (ready + delayed + dirty), not counting running ones. */
  depth(): number {
    return this.ready.length - this.head + this.delayed.size + this.dirty.size;
  }

  /** Keys being processed now. */
  inFlight(): number {
    return this.running.size;
  }

  /** Queue `key` now (coalesced). */
  add(key: string): void {
    if (this.stopped) return;
    const timer = this.delayed.get(key);
    if (timer !== undefined) {
      this.timers.clearTimeout(timer);
      this.delayed.delete(key);
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Queue `key` after `ms` (a pending earlier timer for the key is kept if it fires sooner). */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.queued.has(key) || this.delayed.has(key)) return;
    if (ms <= 0) return this.add(key);
    const handle = this.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, handle);
  }

  /** Resolves when nothing is ready, running or dirty (delayed keys do not count). */
  async idle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drop waiting keys and timers; running workers finish; nothing new starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const h of this.delayed.values()) this.timers.clearTimeout(h);
    this.delayed.clear();
    this.ready = [];
    this.head = 0;
    this.queued.clear();
    this.dirty.clear();
    await this.idle();
  }

  private isIdle(): boolean {
    return this.ready.length === this.head && this.running.size === 0 && this.dirty.size === 0;
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.head < this.ready.length) {
      const key = this.ready[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.running.add(key);
      void this.runKey(key);
    }
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((w) => w());
  }

  private async runKey(key: string): Promise<void> {
    try {
      await this.o.worker(key);
    } catch (err) {
      this.o.onError?.(key, err);
    } finally {
      this.running.delete(key);
      if (this.dirty.delete(key) && !this.stopped) {
        this.queued.add(key);
        this.ready.push(key);
      }
      this.pump();
    }
  }
}
