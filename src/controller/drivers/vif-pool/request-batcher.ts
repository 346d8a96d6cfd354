/**
 * @module `RequestBatcher`: coalesces concurrent requests that share a key (for pod ports: node, project,
 * subnets and SG set) into ONE call of a bulk function, and hands every caller its own result.
 *
 * Why: Neutron bound-port creation is bottlenecked by its (single) API worker, and each request pays
 * token validation, policy checks and a DB transaction on top of the per-port work. N pods arriving
 * together should cost one `POST /v2.0/ports` with N bodies, not N POSTs.
 *
 * Guarantees:
 * - a batch is sent when `windowMs` passed since its first request, or as soon as it holds `maxBatch`
 *   requests — never "when enough callers arrived": callers are pipeline workers, and the pipeline's
 *   concurrency bound may be smaller than `maxBatch`, so waiting for a full batch could deadlock;
 * - group commit: while a bulk call of a key is running, that key's next batch keeps collecting and is
 *   sent the moment the running call settles (or at once when full). Callers arrive staggered (each
 *   freed pipeline slot starts one more handler), so a fixed window alone would mostly send batches of
 *   one; waiting for the running call costs nothing, as Neutron works through requests one at a time;
 * - result i goes to request i and to no one else (no double hand-out);
 * - an error of the bulk call (or a result count that does not match) reaches every waiter of that batch;
 * - a waiter whose signal aborts is rejected at once; if its request was not sent yet it is dropped from
 *   the batch, otherwise its result is passed to `discard` when it arrives (no leak);
 * - the bulk call itself does not take a caller's signal: one caller going away must not cancel the
 *   others' ports, and a cancelled POST may still have created them server-side.
 */
import type { Logger } from 'pino';
import { TimeoutError } from '../../../common/errors/index.js';

/** How a {@link RequestBatcher} groups and serves requests. */
export interface RequestBatcherOptions<Req, Res> {
  /** Requests with the same key may share one bulk call. */
  keyOf(req: Req): string;
  /** Serves one batch: exactly one result per request, in request order; all or nothing. */
  run(reqs: readonly Req[]): Promise<Res[]>;
  /** Takes back a result nobody waits for any more (its caller aborted). Errors are logged. */
  discard?(res: Res, req: Req): Promise<void>;
  /** Longest wait for company, in ms. @default 5 */
  windowMs?: number;
  /** Largest batch; a full batch is sent at once. @default 10 */
  maxBatch?: number;
  log: Logger;
}

interface Waiter<Req, Res> {
  req: Req;
  resolve(res: Res): void;
  reject(err: Error): void;
  /** Settled already (aborted): a late result goes to `discard`. */
  done: boolean;
  cleanup(): void;
}

interface OpenBatch<Req, Res> {
  waiters: Waiter<Req, Res>[];
  timer: NodeJS.Timeout;
}

/** Coalesces concurrent same-key requests into bulk calls. */
export class RequestBatcher<Req, Res> {
  private readonly open = new Map<string, OpenBatch<Req, Res>>();
  /** Bulk calls running per key. */
  private readonly busy = new Map<string, number>();
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private inFlight = 0;

  constructor(private readonly o: RequestBatcherOptions<Req, Res>) {
    this.windowMs = Math.max(0, o.windowMs ?? 5);
    this.maxBatch = Math.max(1, o.maxBatch ?? 10);
  }

  /** Bulk calls currently running (tests, diagnostics). */
  get running(): number {
    return this.inFlight;
  }

  /**
   * Queues `req` into the open batch of its key and resolves with its own result.
   * @throws the bulk call's error; the abort reason (or a TimeoutError) when `signal` aborts first.
   */
  request(req: Req, signal?: AbortSignal): Promise<Res> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const key = this.o.keyOf(req);
    return new Promise<Res>((resolve, reject) => {
      const onAbort = () => {
        if (waiter.done) return;
        waiter.done = true;
        const batch = this.open.get(key);
        if (batch !== undefined) {
          const i = batch.waiters.indexOf(waiter);
          if (i >= 0) batch.waiters.splice(i, 1); // not sent yet: nothing to give back
        }
        reject(abortError(signal));
      };
      const waiter: Waiter<Req, Res> = {
        req,
        done: false,
        resolve: (res) => {
          waiter.cleanup();
          waiter.done = true;
          resolve(res);
        },
        reject: (err: Error) => {
          waiter.cleanup();
          waiter.done = true;
          reject(err);
        },
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let batch = this.open.get(key);
      if (batch === undefined) {
        const timer = setTimeout(() => this.flush(key, false), this.windowMs);
        batch = { waiters: [], timer };
        this.open.set(key, batch);
      }
      batch.waiters.push(waiter);
      if (batch.waiters.length >= this.maxBatch) this.flush(key, true);
    });
  }

  /** Sends every open batch now (shutdown, tests). */
  flushAll(): void {
    for (const key of [...this.open.keys()]) this.flush(key, true);
  }

  /** Sends the open batch of `key`; unless `force`, only when no call of the key is running. */
  private flush(key: string, force: boolean): void {
    const batch = this.open.get(key);
    if (batch === undefined) return;
    if (!force && this.busy.has(key)) return; // sent when the running call settles
    this.open.delete(key);
    clearTimeout(batch.timer);
    const waiters = batch.waiters.filter((w) => !w.done);
    if (waiters.length === 0) return;
    void this.send(key, waiters);
  }

  private async send(key: string, waiters: Waiter<Req, Res>[]): Promise<void> {
    this.inFlight++;
    this.busy.set(key, (this.busy.get(key) ?? 0) + 1);
    let results: Res[];
    try {
      results = await this.o.run(waiters.map((w) => w.req));
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      for (const w of waiters) if (!w.done) w.reject(err);
      return;
    } finally {
      this.inFlight--;
      const left = (this.busy.get(key) ?? 1) - 1;
      if (left > 0) this.busy.set(key, left);
      else this.busy.delete(key);
      // What collected meanwhile goes now (its window may have passed during the call).
      const next = this.open.get(key);
      if (next !== undefined) {
        clearTimeout(next.timer);
        next.timer = setTimeout(() => this.flush(key, false), 0);
      }
    }
    if (results.length !== waiters.length) {
      const error = new TypeError(
        `bulk call returned ${results.length} results for ${waiters.length} requests`,
      );
      for (const w of waiters) if (!w.done) w.reject(error);
      const reqOf = (i: number) =>
        (waiters[Math.min(i, waiters.length - 1)] as Waiter<Req, Res>).req;
      await Promise.all(results.map((r, i) => this.discard(r, reqOf(i))));
      return;
    }
    const late: Promise<void>[] = [];
    results.forEach((res, i) => {
      const w = waiters[i] as Waiter<Req, Res>;
      if (w.done) late.push(this.discard(res, w.req));
      else w.resolve(res);
    });
    await Promise.all(late);
  }

  private async discard(res: Res, req: Req): Promise<void> {
    try {
      await this.o.discard?.(res, req);
    } catch (error) {
      this.o.log.warn({ err: error }, 'could not give back a batched result nobody waits for');
    }
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new TimeoutError('request aborted while batched');
}
