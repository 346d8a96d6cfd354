/**
 * @module In-memory {@link KubeApi} for unit tests: objects per kind/namespace/name with a global
 * resourceVersion counter, 404/409 like the API server (stale resourceVersion on replace or in a JSON
 * patch ⇒ 409 Conflict, create of an existing name ⇒ 409 AlreadyExists), JSON patch add/replace/remove/test
 * on simple paths, merge patch, and fault injection (`failNext`). Its watch delivers nothing (informers
 * list once); watch behaviour is tested against the real API server.
 */
/* eslint-disable @typescript-eslint/require-await -- async so faults surface as rejections, like the real client */
import { apiError } from '../api-errors.js';
import type { CallOptions, JsonPatchOp, KubeApi, ListOptions, WatchEvent } from '../client.js';
import { resourcePath, type ResourceKind } from '../kinds.js';
import type { KubeList, KubeObject } from '../object.js';

type Method = 'get' | 'list' | 'create' | 'replace' | 'patchJson' | 'patchMerge' | 'delete';

const clone = <T>(v: T): T => structuredClone(v);

/** The fake API. `calls` records every call for assertions. */
export class FakeKube implements KubeApi {
  private readonly store = new Map<string, KubeObject>();
  private rv = 1;
  readonly calls: { method: Method; path: string; body?: unknown }[] = [];
  private readonly faults: { method: Method; error: Error }[] = [];

  /** Make the next call of `method` fail with `error`. */
  failNext(method: Method, error: Error): void {
    this.faults.push({ method, error });
  }

  /** Put an object directly (test setup); returns the stored copy. */
  seed<T extends KubeObject>(k: ResourceKind<T>, obj: T): T {
    const copy = clone(obj);
    copy.metadata = { ...copy.metadata, resourceVersion: String(++this.rv) };
    copy.metadata.uid ??= `uid-${this.rv}`;
    this.store.set(this.key(k, copy.metadata.namespace, copy.metadata.name ?? ''), copy);
    return clone(copy);
  }

  /** Bump an object's resourceVersion (simulates a concurrent writer). */
  touch(k: ResourceKind, name: string, namespace?: string): void {
    const obj = this.store.get(this.key(k, namespace, name));
    if (obj?.metadata) obj.metadata.resourceVersion = String(++this.rv);
  }

  private key(k: ResourceKind, ns: string | undefined, name: string): string {
    return resourcePath(k, ns, name);
  }

  private enter(method: Method, path: string, body?: unknown): void {
    this.calls.push({ method, path, body });
    const i = this.faults.findIndex((f) => f.method === method);
    if (i >= 0) throw this.faults.splice(i, 1)[0]!.error;
  }

  private must(k: ResourceKind, ns: string | undefined, name: string, method: string): KubeObject {
    const path = this.key(k, ns, name);
    const obj = this.store.get(path);
    if (!obj)
      throw apiError(404, { reason: 'NotFound', message: `${name} not found` }, { method, path });
    return obj;
  }

  async get<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    ns?: string,
    _o?: CallOptions,
  ): Promise<T> {
    this.enter('get', this.key(k, ns, name));
    return clone(this.must(k, ns, name, 'GET')) as T;
  }

  async list<T extends KubeObject>(
    k: ResourceKind<T>,
    opts: ListOptions = {},
  ): Promise<KubeList<T>> {
    const prefix = resourcePath(k, opts.namespace);
    this.enter('list', prefix);
    const items = [...this.store.entries()]
      .filter(([p]) => p.startsWith(prefix.replace(/\/[^/]+$/, '')) && p.includes(`/${k.plural}/`))
      .map(([, o]) => clone(o) as T);
    return { items, metadata: { resourceVersion: String(this.rv) } };
  }

  async create<T extends KubeObject>(k: ResourceKind<T>, obj: T): Promise<T> {
    const m = obj.metadata ?? {};
    const path = this.key(k, m.namespace, m.name ?? '');
    this.enter('create', path, obj);
    if (this.store.has(path)) {
      throw apiError(
        409,
        { reason: 'AlreadyExists', message: `${m.name} exists` },
        { method: 'POST', path },
      );
    }
    return this.seed(k, obj);
  }

  async replace<T extends KubeObject>(k: ResourceKind<T>, obj: T): Promise<T> {
    const m = obj.metadata ?? {};
    const path = this.key(k, m.namespace, m.name ?? '');
    this.enter('replace', path, obj);
    const cur = this.must(k, m.namespace, m.name ?? '', 'PUT');
    if (m.resourceVersion && m.resourceVersion !== cur.metadata?.resourceVersion) {
      throw apiError(
        409,
        { reason: 'Conflict', message: 'object has been modified' },
        { method: 'PUT', path },
      );
    }
    return this.seed(k, { ...obj, metadata: { ...m, uid: cur.metadata?.uid } });
  }

  async patchJson<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    ns: string | undefined,
    ops: JsonPatchOp[],
  ): Promise<T> {
    const path = this.key(k, ns, name);
    this.enter('patchJson', path, ops);
    const cur = clone(this.must(k, ns, name, 'PATCH')) as Record<string, unknown>;
    const before = (cur.metadata as { resourceVersion?: string }).resourceVersion;
    for (const op of ops) applyOp(cur, op, path);
    const after = (cur.metadata as { resourceVersion?: string }).resourceVersion;
    if (after !== before) {
      throw apiError(
        409,
        { reason: 'Conflict', message: 'object has been modified' },
        { method: 'PATCH', path },
      );
    }
    return this.seed(k, cur as T);
  }

  async patchMerge<T extends KubeObject>(
    k: ResourceKind<T>,
    name: string,
    ns: string | undefined,
    patch: Record<string, unknown>,
  ): Promise<T> {
    const path = this.key(k, ns, name);
    this.enter('patchMerge', path, patch);
    const cur = clone(this.must(k, ns, name, 'PATCH')) as Record<string, unknown>;
    return this.seed(k, merge(cur, patch) as T);
  }

  async delete(k: ResourceKind, name: string, ns?: string): Promise<void> {
    const path = this.key(k, ns, name);
    this.enter('delete', path);
    this.must(k, ns, name, 'DELETE');
    this.store.delete(path);
  }

  /** A watch that delivers nothing and ends when `signal` aborts (informers list once, then wait). */
  watch<T extends KubeObject>(
    _k: ResourceKind<T>,
    _o: ListOptions,
    _cb: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

function applyOp(doc: Record<string, unknown>, op: JsonPatchOp, path: string): void {
  const parts = op.path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop()!;
  let node = doc;
  for (const p of parts) node = (node[p] ??= {}) as Record<string, unknown>;
  if (op.op === 'test') {
    if (JSON.stringify(node[last]) !== JSON.stringify(op.value)) {
      throw apiError(
        422,
        { reason: 'Invalid', message: `test ${op.path} failed` },
        { method: 'PATCH', path },
      );
    }
    return;
  }
  if (op.op === 'remove') {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
    return;
  }
  if (op.op === 'replace' && !(last in node)) {
    throw apiError(
      422,
      { reason: 'Invalid', message: `replace ${op.path}: missing` },
      { method: 'PATCH', path },
    );
  }
  if (Array.isArray(node) && last === '-') node.push(clone(op.value));
  else node[last] = clone(op.value);
}

function merge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof target[key] === 'object'
    ) {
      target[key] = merge(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else target[key] = clone(value);
  }
  return target;
}
