/**
 * @module Neutron tags (`/v2.0/{resource}/{id}/tags`, extension `standard-attr-tag`). The only way to
 * tag on Zed: `tags` in POST bodies are ignored (COMPATIBILITY.md §1).
 */
import { ValidationError } from '../../common/errors/index.js';
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import type { TaggableResource } from './types.js';

/** Neutron refuses tags longer than this. */
export const MAX_TAG_LENGTH = 60;

/**
 * Client of the tag API of every taggable resource. Each call is one request.
 * Idempotency: `add` and `replace` are naturally idempotent; `remove` of a tag that is not there is a
 * NotFoundError (wrap in `ignoreNotFound` from src/common/errors on delete paths); `removeAll` is fine
 * on an untagged object.
 */
export class TagsClient {
  constructor(private readonly http: ServiceClient) {}

  private path(resource: TaggableResource, id: string, tag?: string): string {
    const base = `/v2.0/${resource}/${encodeURIComponent(id)}/tags`;
    return tag === undefined ? base : `${base}/${encodeURIComponent(checkTag(tag, true))}`;
  }

  /** Adds one tag (`PUT …/tags/{tag}`, 201); the other tags stay. */
  async add(
    resource: TaggableResource,
    id: string,
    tag: string,
    opts: RequestOptions = {},
  ): Promise<void> {
    await this.http.request({ method: 'PUT', path: this.path(resource, id, tag), ...opts });
  }

  /** Replaces all tags (`PUT …/tags` with `{tags}`). @returns the tags as stored. */
  async replace(
    resource: TaggableResource,
    id: string,
    tags: readonly string[],
    opts: RequestOptions = {},
  ): Promise<string[]> {
    for (const tag of tags) checkTag(tag, false);
    const res = await this.http.request<{ tags: string[] }>({
      method: 'PUT',
      path: this.path(resource, id),
      body: { tags },
      ...opts,
    });
    return res.body.tags;
  }

  /** Removes one tag (`DELETE …/tags/{tag}`, 204). @throws NotFoundError when the tag is absent. */
  async remove(
    resource: TaggableResource,
    id: string,
    tag: string,
    opts: RequestOptions = {},
  ): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.path(resource, id, tag), ...opts });
  }

  /** Removes every tag (`DELETE …/tags`, 204). */
  async removeAll(
    resource: TaggableResource,
    id: string,
    opts: RequestOptions = {},
  ): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.path(resource, id), ...opts });
  }
}

/**
 * Rejects tags Neutron would refuse (length, a comma: it could never be filtered on), before sending
 * anything. In a URL path a '/' is refused too: WSGI routing decodes %2F and would split the tag.
 */
function checkTag(tag: string, inPath: boolean): string {
  if (tag.length === 0 || tag.length > MAX_TAG_LENGTH || tag.includes(',')) {
    throw new ValidationError(
      `invalid Neutron tag '${tag}': 1–${MAX_TAG_LENGTH} characters, no ','`,
    );
  }
  if (inPath && tag.includes('/')) {
    throw new ValidationError(`tag '${tag}' contains '/': set it with tags.replace() instead`);
  }
  return tag;
}
