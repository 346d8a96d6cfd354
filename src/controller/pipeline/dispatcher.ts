/**
 * @module `Dispatcher`: informer per watched kind → keyed queue → handlers of that kind, with the retry
 * policy deciding what happens to failures (ARCHITECTURE.md §2 "Controller event").
 *
 * Guarantees:
 * - queue key = `<plural>.<group>|<namespace>/<name>`: one object is handled by one worker at a time,
 *   different objects concurrently (bounded); bursts of events for one object coalesce into one run;
 * - the handler always sees the latest cached object (level-based), never an event payload;
 * - handlers of one kind run in `enabled_handlers` order; a failure stops the run for that key and
 *   requeues the whole key (handlers are idempotent), or ends it with a Warning Event when terminal;
 * - finalizer ordering of ARCHITECTURE.md §5 for handlers that declare one;
 * - nothing is remembered across restarts: a fresh list re-queues every object (resume from cluster state).
 */
import type { Logger } from 'pino';
import type { KubeApi, ListOptions } from '../../k8s/client.js';
import type { EventRecorder } from '../../k8s/events.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../k8s/finalizers.js';
import { Informer, type InformerOptions } from '../../k8s/informer.js';
import { apiVersionOf, type ResourceKind } from '../../k8s/kinds.js';
import { objectKey, type KubeObject } from '../../k8s/object.js';
import { KeyedQueue, type QueueTimers } from './keyed-queue.js';
import type { PipelineMetrics } from './pipeline-metrics.js';
import { RetryPolicy } from './retry-policy.js';
import type { HandlerContext, HandlerResult, ResourceHandler } from './types.js';

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions {
  api: KubeApi;
  handlers: readonly ResourceHandler[];
  events: EventRecorder;
  log: Logger;
  retry?: RetryPolicy;
  metrics?: PipelineMetrics;
  /** Objects handled at once (`[kubernetes] handler_workers` in `kuryr controller`). @default 8 */
  concurrency?: number;
  /** `[kubernetes] watch_reconcile_period` in ms; 0 = off. @default 120000 */
  reconcilePeriodMs?: number;
  informer?: Partial<Omit<InformerOptions, 'log'>>;
  timers?: QueueTimers;
  /**
   * Only objects of this namespace (and the Namespace object itself); cluster-scoped kinds such as
   * nodes are still watched whole. For development and for tests sharing one API server.
   */
  watchNamespace?: string;
}

/** `watch` narrowed to `namespace` (see {@link DispatcherOptions.watchNamespace}). */
export function scopedWatch(
  kind: ResourceKind,
  watch: Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>,
  namespace: string | undefined,
): Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'> {
  if (namespace === undefined) return watch;
  if (kind.namespaced) return { ...watch, namespace };
  if (kind.group === '' && kind.plural === 'namespaces') {
    const byName = `metadata.name=${namespace}`;
    return {
      ...watch,
      fieldSelector: watch.fieldSelector ? `${watch.fieldSelector},${byName}` : byName,
    };
  }
  return watch;
}

interface KindGroup {
  kind: ResourceKind;
  handlers: ResourceHandler[];
  informer: Informer<KubeObject>;
  tombstones: Map<string, KubeObject>;
}

interface RetryState {
  attempt: number;
  spentMs: number;
}

/** Reason of the Warning Event written for a terminal handler failure. */
export const EVENT_REASON_HANDLER_FAILED = 'KuryrHandlerFailed';

const kindId = (k: ResourceKind) => `${k.plural}.${k.group || 'core'}`;

/** Informers + queue + handlers. */
export class Dispatcher {
  private readonly groups = new Map<string, KindGroup>();
  private readonly retries = new Map<string, RetryState>();
  private readonly queue: KeyedQueue;
  private readonly retry: RetryPolicy;
  private abort = new AbortController();
  private reconcileTimer: NodeJS.Timeout | undefined;
  /** Keys whose last failure was terminal (for /ready diagnostics and tests). */
  readonly terminal = new Map<string, string>();
  /**
   * Keys that spent the whole retry budget on unexpected errors (bugs): liveness fails while any is
   * left, so the kubelet restarts the controller (ARCHITECTURE.md §4, "anything else").
   */
  readonly exhausted = new Set<string>();

  constructor(private readonly o: DispatcherOptions) {
    this.retry = o.retry ?? new RetryPolicy();
    this.queue = new KeyedQueue({
      worker: (key) => this.work(key),
      concurrency: o.concurrency ?? 8,
      onError: (key, err) => o.log.error({ err, key }, 'queue worker crashed'),
      ...(o.timers ? { timers: o.timers } : {}),
    });
    for (const h of o.handlers) {
      const id = kindId(h.kind);
      let group = this.groups.get(id);
      if (!group) {
        const tombstones = new Map<string, KubeObject>();
        const enqueue = (obj: KubeObject) => this.enqueue(`${id}|${objectKey(obj)}`);
        const informer = new Informer<KubeObject>(
          o.api,
          h.kind,
          scopedWatch(h.kind, h.watch ?? {}, o.watchNamespace),
          {
            onAdd: (obj) => {
              tombstones.delete(objectKey(obj));
              enqueue(obj);
            },
            onUpdate: enqueue,
            onDelete: (obj) => {
              tombstones.set(objectKey(obj), obj);
              enqueue(obj);
            },
            onError: (err) => o.log.warn({ err, kind: h.kind.kind }, 'watch failed; restarting'),
          },
          { log: o.log, ...o.informer },
        );
        group = { kind: h.kind, handlers: [], informer, tombstones };
        this.groups.set(id, group);
      }
      group.handlers.push(h);
    }
  }

  /** Start every informer and the queue. */
  start(): void {
    this.abort = new AbortController();
    for (const g of this.groups.values()) g.informer.start();
    const period = this.o.reconcilePeriodMs ?? 120_000;
    if (period > 0) {
      this.reconcileTimer = setInterval(() => void this.reconcileAll(), period).unref();
    }
  }

  /**
   * Stop informers, drop queued work, wait for running handlers. With `drainMs` > 0 running handlers
   * first get that long to finish undisturbed, and only then their signal aborts: an aborted Neutron
   * create may still complete server-side and leave a port that no KuryrPort records, so a graceful
   * shutdown lets it land (and be written) instead. Leadership loss passes 0: another replica may
   * take over soon.
   */
  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    clearInterval(this.reconcileTimer);
    const drained = this.queue.stop();
    const drainMs = opts.drainMs ?? 0;
    if (drainMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        drained,
        new Promise<void>((r) => (timer = setTimeout(r, drainMs).unref())),
      ]);
      clearTimeout(timer);
    }
    this.abort.abort();
    await Promise.all([...this.groups.values()].map((g) => g.informer.stop()));
    await drained;
  }

  /** True when every informer has listed once. */
  hasSynced(): boolean {
    return [...this.groups.values()].every((g) => g.informer.hasSynced());
  }

  /** Resolves when the queue is idle (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Queue depth (waiting keys). */
  depth(): number {
    return this.queue.depth();
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.o.metrics?.queueDepth.set(this.queue.depth());
  }

  private async reconcileAll(): Promise<void> {
    for (const g of this.groups.values()) {
      for (const h of g.handlers) {
        if (!h.reconcile || !g.informer.hasSynced()) continue;
        try {
          await h.reconcile(g.informer.list(), this.context(h));
        } catch (err) {
          this.o.log.warn({ err, handler: h.alias }, 'reconcile failed; next period retries');
        }
      }
    }
  }

  private context(h: ResourceHandler): HandlerContext {
    return {
      api: this.o.api,
      events: this.o.events,
      log: this.o.log.child({ handler: h.alias }),
      signal: this.abort.signal,
    };
  }

  private async work(key: string): Promise<void> {
    const sep = key.indexOf('|');
    const group = this.groups.get(key.slice(0, sep));
    if (!group) return;
    const objKey = key.slice(sep + 1);
    const live = group.informer.get(objKey);
    const obj = live ?? group.tombstones.get(objKey);
    if (!obj) return;
    let after: number | undefined;
    for (const h of group.handlers) {
      const stop = this.o.metrics?.handlerDuration.startTimer({ handler: h.alias });
      try {
        const res = await this.runHandler(h, obj, live === undefined);
        stop?.({ result: 'ok' });
        if (res?.requeueAfterMs !== undefined)
          after = Math.min(after ?? Infinity, res.requeueAfterMs);
      } catch (err) {
        stop?.({ result: 'error' });
        await this.failed(key, h, obj, err);
        return;
      }
    }
    if (live === undefined) group.tombstones.delete(objKey);
    this.retries.delete(key);
    this.terminal.delete(key);
    this.exhausted.delete(key);
    if (after !== undefined) this.queue.addAfter(key, after);
    this.o.metrics?.queueDepth.set(this.queue.depth());
  }

  private async runHandler(
    h: ResourceHandler,
    obj: KubeObject,
    gone: boolean,
  ): Promise<HandlerResult | void> {
    const ctx = this.context(h);
    if (gone) {
      await h.onDeleted?.(obj, ctx);
      return;
    }
    if (obj.metadata?.deletionTimestamp) {
      if (h.finalizer && !hasFinalizer(obj, h.finalizer)) return; // already finalized by us
      const res = await h.onFinalize?.(obj, ctx);
      if (res?.requeueAfterMs !== undefined) return res; // not finished: keep the finalizer
      if (h.finalizer) await removeFinalizer(this.o.api, h.kind, obj, h.finalizer);
      return;
    }
    let current = obj;
    if (h.finalizer) {
      // ARCHITECTURE.md §5: the finalizer goes on before anything external is created
      current = (await addFinalizer(this.o.api, h.kind, obj, h.finalizer)).object ?? obj;
    }
    return h.onPresent(current, ctx);
  }

  private async failed(key: string, h: ResourceHandler, obj: KubeObject, err: unknown) {
    const state = this.retries.get(key) ?? { attempt: 0, spentMs: 0 };
    const decision = this.retry.decide(err, state.attempt, state.spentMs);
    const message = err instanceof Error ? err.message : String(err);
    this.o.metrics?.retries.inc({ kind: h.kind.kind, outcome: decision.action });
    if (decision.action === 'requeue') {
      this.o.log.info({ err, key, handler: h.alias, delayMs: decision.delayMs }, 'requeue');
      this.retries.set(key, {
        attempt: state.attempt + 1,
        spentMs: state.spentMs + decision.delayMs,
      });
      this.queue.addAfter(key, decision.delayMs);
      return;
    }
    this.retries.delete(key);
    this.terminal.set(key, message);
    if (!RetryPolicy.isTerminal(err)) this.exhausted.add(key);
    this.o.log.error({ err, key, handler: h.alias }, 'handler failed for good (no retry)');
    await this.o.events.record(
      { ...obj, apiVersion: apiVersionOf(h.kind), kind: h.kind.kind }, // list items carry no kind
      'Warning',
      EVENT_REASON_HANDLER_FAILED,
      `${h.alias}: ${message} (${decision.reason}; fix the object or its config, kuryr retries on the next change)`,
    );
  }
}
