/**
 * @module The `ResourceHandler` contract (ARCHITECTURE.md §3 "Handlers"): level-based, idempotent
 * handlers that never branch on the event type (controller-runtime FAQ). The pipeline guarantees the
 * ordering of ARCHITECTURE.md §5: finalizer added before `onPresent`, removed after `onFinalize`.
 */
import type { Logger } from 'pino';
import type { KubeApi, ListOptions } from '../../k8s/client.js';
import type { EventRecorder } from '../../k8s/events.js';
import type { ResourceKind } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';

/** What a handler run may ask for. */
export interface HandlerResult {
  /** Run this key again after this many ms (a timed poll, not an error). */
  requeueAfterMs?: number;
}

/** Everything a handler gets besides the object. */
export interface HandlerContext {
  api: KubeApi;
  events: EventRecorder;
  log: Logger;
  /** Aborts when the controller stops or loses leadership. */
  signal: AbortSignal;
}

/**
 * One resource handler.
 *
 * Contract:
 * - `onPresent` is called with the latest cached object whenever it changed or was requeued, and must
 *   converge the outside world to it (idempotent; safe to run again after a crash at any step);
 * - when `finalizer` is set, the pipeline adds it before the first `onPresent` and removes it only after
 *   `onFinalize` succeeded; `onFinalize` runs when `deletionTimestamp` is set (NotFound = done);
 * - `onDeleted` runs once the object is gone from the API (no finalizer case), with its last state;
 * - `reconcile` runs every `[kubernetes] watch_reconcile_period` with all cached objects;
 * - throw kuryr error categories: NotReadyError/TimeoutError requeue, ValidationError/ConflictError are
 *   terminal and produce a Warning Event.
 */
export interface ResourceHandler<T extends KubeObject = KubeObject> {
  /** The `enabled_handlers` alias (COMPATIBILITY.md §5), or a test name. */
  readonly alias: string;
  readonly kind: ResourceKind<T>;
  /** Restrict the watch (namespace, selectors). */
  readonly watch?: Pick<ListOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>;
  /** Finalizer the pipeline manages for this handler. */
  readonly finalizer?: string;
  onPresent(obj: T, ctx: HandlerContext): Promise<HandlerResult | void>;
  onFinalize?(obj: T, ctx: HandlerContext): Promise<HandlerResult | void>;
  onDeleted?(obj: T, ctx: HandlerContext): Promise<void>;
  reconcile?(objs: T[], ctx: HandlerContext): Promise<void>;
}
