/**
 * @module The verbs every Neutron v2.0 top-level resource shares (create, get, update, delete, list,
 * listAll, findOne, createTagged). Each resource file extends this class with its own extras; the
 * wire shape is `{<singular>: body}` in and out, `{<plural>: [...], <plural>_links: [...]}` for lists.
 */
import { ConflictError, ignoreNotFound } from '../../common/errors/index.js';
import type { ServiceClient } from '../http/types.js';
import { paginate } from './paginate.js';
import { encodeFilters } from './query.js';
import type { RequestOptions, UpdateOptions } from './request-options.js';
import type { ListFilters, ListOptions } from './types.js';

/** How a resource appears on the wire. */
export interface ResourceSpec {
  /** Collection path, e.g. `/v2.0/security-groups`. */
  path: string;
  /** Body key of one object, e.g. `security_group`. */
  singular: string;
  /** Body key of a list, e.g. `security_groups`. */
  plural: string;
  /**
   * The service stores `tags` given in a POST body (Octavia). Neutron Zed ignores them, so for Neutron
   * `createTagged` needs a second request. @default false
   */
  tagsInBody?: boolean;
}

/**
 * Generic client of one Neutron collection.
 *
 * Contract: `get`/`update`/`delete` reject with a NotFoundError when the object is gone;
 * `deleteIfExists` treats that as success. `list` pages lazily (one request per page); `findOne`
 * costs exactly one request.
 */
export class NeutronResource<T extends { id: string }, C, U> {
  constructor(
    protected readonly http: ServiceClient,
    protected readonly spec: ResourceSpec,
  ) {}

  /** Path of one object, id URL-encoded. */
  protected itemPath(id: string): string {
    return `${this.spec.path}/${encodeURIComponent(id)}`;
  }

  /**
   * Creates one object. NOTE: `tags` in the body are ignored by Neutron Zed — use `createTagged`.
   * @throws ValidationError (400), ConflictError (409 kinds), NotReadyError (quota, 5xx), AuthError.
   */
  async create(body: C, opts: RequestOptions = {}): Promise<T> {
    const res = await this.http.request<Record<string, T>>({
      method: 'POST',
      path: this.spec.path,
      body: { [this.spec.singular]: body },
      ...opts,
    });
    return res.body[this.spec.singular] as T;
  }

  /**
   * Creates one object, then sets its tags with one `PUT …/tags` (Neutron ignores `tags` in POST
   * bodies, COMPATIBILITY.md §1). Two requests (one when `tags` is empty, or for a service that stores
   * body tags: `spec.tagsInBody`). When tagging fails the
   * object is deleted again (best effort) and the tagging error is rethrown, so no untagged object
   * is left behind unless that delete fails too (GC then finds it by name).
   */
  async createTagged(body: C, tags: readonly string[], opts: RequestOptions = {}): Promise<T> {
    if (this.spec.tagsInBody === true) return this.create({ ...body, tags: [...tags] }, opts);
    const created = await this.create(body, opts);
    if (tags.length === 0) return created;
    try {
      const res = await this.http.request<{ tags: string[] }>({
        method: 'PUT',
        path: `${this.itemPath(created.id)}/tags`,
        body: { tags },
        ...opts,
      });
      return { ...created, tags: res.body.tags };
    } catch (error) {
      // The caller's signal may be what failed; the rollback must still run, with its own deadline.
      await ignoreNotFound(() => this.delete(created.id, { timeoutMs: opts.timeoutMs })).catch(
        () => undefined,
      );
      throw error;
    }
  }

  /**
   * Creates several objects in ONE request (`{<plural>: [...]}`); Neutron applies it atomically (all or
   * none) and replies in input order. Exposed as `createBulk` by the resources that need it. NOTE: not
   * retried by the transport (a POST); after an ambiguous failure (timeout, reset) the objects may
   * exist — find them again by name/tag.
   */
  protected async createMany(bodies: readonly C[], opts: RequestOptions = {}): Promise<T[]> {
    if (bodies.length === 0) return [];
    const res = await this.http.request<Record<string, T[]>>({
      method: 'POST',
      path: this.spec.path,
      body: { [this.spec.plural]: bodies },
      ...opts,
    });
    return res.body[this.spec.plural] ?? [];
  }

  /** Reads one object. @throws NotFoundError when it does not exist. */
  async get(id: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.http.request<Record<string, T>>({
      method: 'GET',
      path: this.itemPath(id),
      ...opts,
    });
    return res.body[this.spec.singular] as T;
  }

  /** Updates one object and returns it as stored. @throws NotFoundError, ValidationError, ConflictError. */
  async update(id: string, body: U, opts: UpdateOptions = {}): Promise<T> {
    const { ifRevision, ...rest } = opts;
    const res = await this.http.request<Record<string, T>>({
      method: 'PUT',
      path: this.itemPath(id),
      body: { [this.spec.singular]: body },
      ...(ifRevision === undefined
        ? {}
        : { headers: { 'If-Match': `revision_number=${ifRevision}` } }),
      ...rest,
    });
    return res.body[this.spec.singular] as T;
  }

  /** Deletes one object. @throws NotFoundError when it was already gone (see `deleteIfExists`). */
  async delete(id: string, opts: RequestOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.itemPath(id), ...opts });
  }

  /**
   * Idempotent delete for delete paths.
   * @returns true when this call deleted it, false when it was already gone.
   */
  deleteIfExists(id: string, opts: RequestOptions = {}): Promise<boolean> {
    return ignoreNotFound(() => this.delete(id, opts));
  }

  /**
   * Lists objects matching `filters`, lazily, one request per page.
   * @example
   * for await (const port of neutron.ports.list({ tags: [lh, uh] }, { pageSize: 100 })) { … }
   */
  list(filters?: ListFilters, opts: ListOptions & RequestOptions = {}): AsyncGenerator<T> {
    return paginate<T>(this.http, {
      path: this.spec.path,
      collection: this.spec.plural,
      query: encodeFilters(filters),
      pageSize: opts.pageSize,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    });
  }

  /** Every object matching `filters`, as an array. */
  async listAll(filters?: ListFilters, opts: ListOptions & RequestOptions = {}): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this.list(filters, opts)) out.push(item);
    return out;
  }

  /**
   * The one object matching `filters`, or undefined when none does. One request (`limit=2`).
   * @throws ConflictError when more than one matches — never "take the first" (COMPATIBILITY.md §2).
   */
  async findOne(filters: ListFilters, opts: RequestOptions = {}): Promise<T | undefined> {
    const res = await this.http.request<Record<string, T[]>>({
      method: 'GET',
      path: this.spec.path,
      query: { ...encodeFilters(filters), limit: 2 },
      ...opts,
    });
    const items = res.body[this.spec.plural] ?? [];
    if (items.length > 1) {
      throw new ConflictError(
        `more than one Neutron ${this.spec.singular} matches ${JSON.stringify(filters)}: ` +
          `${items.map((i) => i.id).join(', ')}…; remove the duplicates`,
        { details: { resource: this.spec.singular, ids: items.map((i) => i.id) } },
      );
    }
    return items[0];
  }
}
