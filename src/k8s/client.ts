/**
 * @module `KubeClient`: kuryr's only door to the Kubernetes API. A thin REST layer on client-node's
 * `KubeConfig` (auth, TLS, undici dispatcher); the generated API never leaks out (STYLE.md). Every call
 * has a deadline; every failure is a kuryr error category (see api-errors.ts). The contract and its types
 * are in kube-api.ts (re-exported here for importers).
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { ConfigurationError } from '../common/errors/index.js';
import { apiError, transportError, type ApiStatus } from './api-errors.js';
import { resourcePath, type ResourceKind } from './kinds.js';
import type { CallOptions, JsonPatchOp, KubeApi, ListOptions, WatchEvent } from './kube-api.js';
import type { KubeList, KubeObject } from './object.js';

export type { CallOptions, JsonPatchOp, KubeApi, ListOptions, WatchEvent } from './kube-api.js';

/** Options of {@link KubeClient}. */
export interface KubeClientOptions {
  /** Deadline of every non-watch call in ms. @default 30000 (`watch_connection_timeout`-like) */
  timeoutMs?: number;
  /** A watch with no byte for this long is dropped (ms). @default 90000 */
  watchIdleMs?: number;
}

/** {@link KubeApi} over HTTP. */
export class KubeClient implements KubeApi {
  readonly server: string;
  private readonly timeoutMs: number;
  private readonly watchIdleMs: number;

  /** @throws ConfigurationError when the KubeConfig has no current cluster */
  constructor(
    private readonly kc: KubeConfig,
    options: KubeClientOptions = {},
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ConfigurationError('Kubernetes config has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.watchIdleMs = options.watchIdleMs ?? 90_000;
  }

  get<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    namespace?: string,
    o?: CallOptions,
  ): Promise<T> {
    return this.call<T>('GET', resourcePath(k, namespace, name), {}, undefined, undefined, o);
  }

  list<T extends KubeObject>(
    k: ResourceKind<T>,
    opts: ListOptions = {},
    o?: CallOptions,
  ): Promise<KubeList<T>> {
    const { namespace, ...query } = opts;
    return this.call<KubeList<T>>(
      'GET',
      resourcePath(k, namespace),
      query,
      undefined,
      undefined,
      o,
    );
  }

  create<T extends KubeObject>(k: ResourceKind<T>, obj: T, o?: CallOptions): Promise<T> {
    return this.call<T>(
      'POST',
      resourcePath(k, obj.metadata?.namespace),
      o?.dryRun ? { dryRun: 'All' } : {},
      obj,
      'application/json',
      o,
    );
  }

  replace<T extends KubeObject>(k: ResourceKind<T>, obj: T, o?: CallOptions): Promise<T> {
    const path = resourcePath(k, obj.metadata?.namespace, obj.metadata?.name ?? '');
    return this.call<T>('PUT', path, {}, obj, 'application/json', o);
  }

  patchJson<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    namespace: string | undefined,
    ops: JsonPatchOp[],
    o?: CallOptions,
  ): Promise<T> {
    return this.call<T>(
      'PATCH',
      resourcePath(k, namespace, name),
      {},
      ops,
      'application/json-patch+json',
      o,
    );
  }

  patchMerge<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    namespace: string | undefined,
    patch: Record<string, unknown>,
    o?: CallOptions,
  ): Promise<T> {
    return this.call<T>(
      'PATCH',
      resourcePath(k, namespace, name) + (o?.subresource ? `/${o.subresource}` : ''),
      {},
      patch,
      'application/merge-patch+json',
      o,
    );
  }

  async delete(
    k: ResourceKind,
    name: string,
    namespace?: string,
    body?: Record<string, unknown>,
    o?: CallOptions,
  ): Promise<void> {
    await this.call<unknown>(
      'DELETE',
      resourcePath(k, namespace, name),
      {},
      body,
      body ? 'application/json' : undefined,
      o,
    );
  }

  async watch<T extends KubeObject>(
    k: ResourceKind<T>,
    opts: ListOptions & { timeoutSeconds?: number },
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const { namespace, ...query } = opts;
    const path = resourcePath(k, namespace);
    const call = { method: 'WATCH', path };
    const idle = new AbortController();
    let idleTimer: NodeJS.Timeout | undefined;
    const kick = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => idle.abort(), this.watchIdleMs).unref();
    };
    const done = new AbortController();
    const both = AbortSignal.any([signal, idle.signal, done.signal]);
    let callbackError: unknown;
    try {
      kick();
      const url = this.url(path, { ...query, watch: 'true', allowWatchBookmarks: 'true' });
      const res = await this.send('GET', url, undefined, undefined, both);
      if (res.status !== 200) throw apiError(res.status, await readStatus(res), call);
      if (!res.body) return;
      const body = Readable.fromWeb(res.body as never);
      body.on('data', kick);
      const lines = createInterface({ input: body, crlfDelay: Infinity });
      // readline does not forward stream errors (reset, our own abort): keep them, end the loop
      let streamError: unknown;
      const onStreamError = (err: unknown) => {
        streamError ??= err;
        lines.close();
      };
      body.on('error', onStreamError);
      lines.on('error', onStreamError);
      for await (const line of lines) {
        if (!line.trim()) continue;
        // A malformed line is a server bug; skipping it is safer than tearing the watch down.
        let ev: WatchEvent<T> | undefined;
        try {
          ev = JSON.parse(line) as WatchEvent<T>;
        } catch {
          continue;
        }
        try {
          onEvent(ev);
        } catch (err) {
          callbackError = err;
          break;
        }
      }
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrow the consumer's own error
      if (callbackError !== undefined) throw callbackError;
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the stream error as raised
      if (streamError !== undefined) throw streamError;
    } catch (err) {
      // the consumer's own error (e.g. 410 seen in an ERROR event) goes back unchanged
      if (err === callbackError) throw err;
      if (signal.aborted) return;
      throw transportError(err, call, idle.signal.aborted);
    } finally {
      clearTimeout(idleTimer);
      done.abort(); // closes the connection when we stop reading early
    }
  }

  private url(path: string, query: Record<string, unknown>): string {
    const u = new URL(this.server + path);
    for (const [key, val] of Object.entries(query)) {
      if (val !== undefined && val !== '') u.searchParams.set(key, `${val as string | number}`);
    }
    return u.toString();
  }

  private async send(
    method: string,
    url: string,
    body: unknown,
    contentType: string | undefined,
    signal: AbortSignal,
  ) {
    const ctx = new RequestContext(url, HttpMethod[method as keyof typeof HttpMethod]);
    await this.kc.applySecurityAuthentication(ctx);
    const headers = ctx.getHeaders() as unknown as Record<string, string>;
    const h: Record<string, string> = { ...headers, accept: 'application/json' };
    if (contentType) h['content-type'] = contentType;
    return fetch(url, {
      method,
      headers: h,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      dispatcher: ctx.getDispatcher() as never,
      signal,
    });
  }

  private async call<T>(
    method: string,
    path: string,
    query: Record<string, unknown>,
    body: unknown,
    contentType: string | undefined,
    o: CallOptions = {},
  ): Promise<T> {
    const deadline = AbortSignal.timeout(o.timeoutMs ?? this.timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
    const call = { method, path };
    let res: Awaited<ReturnType<KubeClient['send']>>;
    let text: string;
    try {
      res = await this.send(method, this.url(path, query), body, contentType, signal);
      text = await res.text();
    } catch (err) {
      throw transportError(err, call, deadline.aborted);
    }
    if (res.status >= 200 && res.status < 300) return (text ? JSON.parse(text) : {}) as T;
    throw apiError(res.status, parseStatus(text), call);
  }
}

function parseStatus(text: string): ApiStatus | undefined {
  try {
    return JSON.parse(text) as ApiStatus;
  } catch {
    return text ? { message: text.slice(0, 200) } : undefined;
  }
}

async function readStatus(res: { text(): Promise<string> }): Promise<ApiStatus | undefined> {
  return parseStatus(await res.text().catch(() => ''));
}
