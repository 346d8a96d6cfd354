/**
 * @module `Informer`: list + watch of one kind (namespaced or cluster-wide, with selectors) into a local
 * cache, with add/update/delete callbacks.
 *
 * Guarantees:
 * - callbacks run in event order, one at a time per informer; a throwing callback is logged, never kills
 *   the watch;
 * - 410 Gone (watch `ERROR` event or status) ⇒ relist at once; a relist diffs against the cache, so
 *   objects deleted while disconnected produce `delete`, changed ones `update`;
 * - any other failure ⇒ restart after exponential backoff (base × 2^n, capped, reset after a healthy
 *   watch), reported to the error callback — an error handler is always attached (unlike client-node's
 *   informer whose `stop()` emits an unhandled `error`);
 * - `hasSynced()` turns true after the first complete list.
 */
import type { Logger } from 'pino';
import { isResourceExpired } from './api-errors.js';
import type { KubeApi, ListOptions, WatchEvent } from './client.js';
import type { ResourceKind } from './kinds.js';
import { objectKey, type KubeObject } from './object.js';

/** Callbacks of an {@link Informer}. */
export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(obj: T, old: T): void;
  onDelete?(obj: T): void;
  /** List/watch failures (the informer restarts by itself). @default log at warn */
  onError?(err: unknown): void;
}

/** Options of {@link Informer}. */
export interface InformerOptions {
  log: Logger;
  /** First restart delay (ms). @default 500 */
  backoffBaseMs?: number;
  /** Restart delay cap (ms). @default 30000 */
  backoffMaxMs?: number;
  /** Server-side watch timeout (s), like `[kubernetes] watch_read_timeout`. @default 60 */
  watchTimeoutSeconds?: number;
  /** Page size of lists. @default 500 */
  pageSize?: number;
  /** Injectable sleep (tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

class Expired extends Error {}

/** List+watch cache of one kind. */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private synced = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private resourceVersion: string | undefined;
  /** Number of completed lists (tests, metrics). */
  listCount = 0;

  constructor(
    private readonly api: KubeApi,
    readonly kind: ResourceKind<T>,
    private readonly selector: Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>,
    private readonly handlers: InformerHandlers<T>,
    private readonly options: InformerOptions,
  ) {}

  /** Start list+watch in the background (idempotent). */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Stop watching; resolves when the loop has ended. The cache stays readable. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** True once the first full list has been applied. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Cached object by `namespace/name` (or `name`). */
  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Snapshot of the cache. */
  list(): T[] {
    return [...this.cache.values()];
  }

  private async run(signal: AbortSignal): Promise<void> {
    const sleep = this.options.sleep ?? abortableSleep;
    const base = this.options.backoffBaseMs ?? 500;
    const max = this.options.backoffMaxMs ?? 30_000;
    let failures = 0;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) await this.relist(signal);
        needList = false;
        await this.watchOnce(signal);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof Expired || isResourceExpired(err)) {
          this.options.log.info({ kind: this.kind.kind }, 'watch expired (410): relisting');
          needList = true;
          continue;
        }
        needList = true;
        this.report(err);
        const delay = Math.min(max, base * 2 ** failures);
        failures += 1;
        await sleep(delay, signal);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.api.list(
        this.kind,
        { ...this.selector, limit: this.options.pageSize ?? 500, continue: cont },
        { signal },
      );
      for (const item of page.items) fresh.set(objectKey(item), item);
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.cache.delete(key);
        this.emit(() => this.handlers.onDelete?.(old));
      }
    }
    for (const [key, obj] of fresh) this.apply(key, obj);
    this.resourceVersion = rv;
    this.listCount += 1;
    this.synced = true;
  }

  private apply(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) this.emit(() => this.handlers.onAdd?.(obj));
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      this.emit(() => this.handlers.onUpdate?.(obj, old));
    }
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    await this.api.watch(
      this.kind,
      {
        ...this.selector,
        resourceVersion: this.resourceVersion,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 60,
      },
      (ev: WatchEvent<T>) => this.onEvent(ev),
      signal,
    );
  }

  private onEvent(ev: WatchEvent<T>): void {
    if (ev.type === 'ERROR') {
      const status = ev.object as { code?: number; message?: string };
      if (status.code === 410) throw new Expired(status.message ?? 'resourceVersion expired');
      throw new Error(`watch error ${status.code ?? ''}: ${status.message ?? 'unknown'}`);
    }
    const rv = ev.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === 'BOOKMARK') return;
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') {
      const old = this.cache.get(key);
      this.cache.delete(key);
      this.emit(() => this.handlers.onDelete?.(ev.object ?? old));
      return;
    }
    this.apply(key, ev.object);
  }

  private emit(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.log.error({ err, kind: this.kind.kind }, 'informer callback failed');
    }
  }

  private report(err: unknown): void {
    if (this.handlers.onError) this.emit(() => this.handlers.onError?.(err));
    else this.options.log.warn({ err, kind: this.kind.kind }, 'list/watch failed; restarting');
  }
}
