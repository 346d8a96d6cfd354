/**
 * @module `KubeApi`: the Kubernetes client contract (CRUD, patch, watch) and its option and event types.
 * Handlers, informers, leases and fakes depend on this; `KubeClient` (client.ts) is the HTTP implementation.
 */
import type { ResourceKind } from './kinds.js';
import type { KubeList, KubeObject } from './object.js';

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
  from?: string;
}

/** Selectors and paging of a list or watch. */
export interface ListOptions {
  /** Namespace; undefined = all namespaces (namespaced kinds) or cluster scope. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

/** A watch event as the API sends it. `ERROR` carries a Status (e.g. code 410). */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Override the client deadline (ms). */
  timeoutMs?: number;
  /** Server-side dry run (`dryRun=All`): validated and admitted, never stored (writes only). */
  dryRun?: boolean;
  /** Patch a subresource (`status`: a Service's `/status`); patchMerge only. */
  subresource?: 'status';
}

/**
 * The client interface handlers, informers, leases and tests depend on (fakes implement it too).
 * All methods throw kuryr error categories: NotFoundError, ConflictError, ValidationError, AuthError,
 * NotReadyError (5xx, 410, unreachable), TimeoutError (deadline).
 */
export interface KubeApi {
  get<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    namespace?: string,
    o?: CallOptions,
  ): Promise<T>;
  list<T extends KubeObject>(
    k: ResourceKind<T>,
    opts?: ListOptions,
    o?: CallOptions,
  ): Promise<KubeList<T>>;
  create<T extends KubeObject>(k: ResourceKind<T>, obj: T, o?: CallOptions): Promise<T>;
  replace<T extends KubeObject>(k: ResourceKind<T>, obj: T, o?: CallOptions): Promise<T>;
  patchJson<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    namespace: string | undefined,
    ops: JsonPatchOp[],
    o?: CallOptions,
  ): Promise<T>;
  patchMerge<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    namespace: string | undefined,
    patch: Record<string, unknown>,
    o?: CallOptions,
  ): Promise<T>;
  /** Resolves when deletion was accepted; NotFoundError when already gone (callers use ignoreNotFound). */
  delete(
    k: ResourceKind,
    name: string,
    namespace?: string,
    body?: Record<string, unknown>,
    o?: CallOptions,
  ): Promise<void>;
  /**
   * Stream watch events until the server ends the watch, `signal` aborts (resolves) or the stream fails
   * (rejects). An `ERROR` event is passed to `onEvent` as is.
   */
  watch<T extends KubeObject>(
    k: ResourceKind<T>,
    opts: ListOptions & { timeoutSeconds?: number },
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
