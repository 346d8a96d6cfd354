/**
 * @module The common verbs of a collection nested under a parent object (Neutron port forwardings under a
 * floating IP, Octavia members under a pool): every verb takes the parent id first and delegates to a
 * `NeutronResource` bound to `<parent path>/<parent id>/<collection>`.
 */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions, UpdateOptions } from './request-options.js';
import { NeutronResource } from './resource.js';
import type { ListFilters, ListOptions } from './types.js';

/** Where the nested collection lives. */
export interface NestedResourceSpec {
  /** Path of the parent collection, e.g. `/v2.0/floatingips`. */
  parentPath: string;
  /** Path segment of the nested collection, e.g. `port_forwardings`. */
  collection: string;
  singular: string;
  plural: string;
  /** See `ResourceSpec.tagsInBody`. */
  tagsInBody?: boolean;
}

/** Generic client of a nested collection. NotFound semantics are those of `NeutronResource`. */
export class NestedResource<T extends { id: string }, C, U> {
  constructor(
    protected readonly http: ServiceClient,
    protected readonly spec: NestedResourceSpec,
  ) {}

  /** The generic verbs bound to one parent (cheap: no request). */
  of(parentId: string): NeutronResource<T, C, U> {
    return new NeutronResource<T, C, U>(this.http, {
      path: this.collectionPath(parentId),
      singular: this.spec.singular,
      plural: this.spec.plural,
      tagsInBody: this.spec.tagsInBody,
    });
  }

  /** Path of the nested collection of one parent, ids URL-encoded. */
  protected collectionPath(parentId: string): string {
    return `${this.spec.parentPath}/${encodeURIComponent(parentId)}/${this.spec.collection}`;
  }

  /** Creates one object under `parentId`. */
  create(parentId: string, body: C, opts?: RequestOptions): Promise<T> {
    return this.of(parentId).create(body, opts);
  }

  /** Reads one. @throws NotFoundError */
  get(parentId: string, id: string, opts?: RequestOptions): Promise<T> {
    return this.of(parentId).get(id, opts);
  }

  /** Updates one. @throws NotFoundError */
  update(parentId: string, id: string, body: U, opts?: UpdateOptions): Promise<T> {
    return this.of(parentId).update(id, body, opts);
  }

  /** Deletes one. @throws NotFoundError */
  delete(parentId: string, id: string, opts?: RequestOptions): Promise<void> {
    return this.of(parentId).delete(id, opts);
  }

  /** Idempotent delete. @returns false when it was already gone. */
  deleteIfExists(parentId: string, id: string, opts?: RequestOptions): Promise<boolean> {
    return this.of(parentId).deleteIfExists(id, opts);
  }

  /** Lists the objects of one parent, paging lazily. */
  list(
    parentId: string,
    filters?: ListFilters,
    opts?: ListOptions & RequestOptions,
  ): AsyncGenerator<T> {
    return this.of(parentId).list(filters, opts);
  }

  /** All objects of one parent matching `filters`. */
  listAll(
    parentId: string,
    filters?: ListFilters,
    opts?: ListOptions & RequestOptions,
  ): Promise<T[]> {
    return this.of(parentId).listAll(filters, opts);
  }
}
