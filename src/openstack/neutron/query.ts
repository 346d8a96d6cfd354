/**
 * @module Encodes list filters into the query Neutron (and Octavia, which copies the convention) expects:
 * the four tag filters comma-joined, every other field filter repeated for arrays, `fields` repeated.
 */
import { ValidationError } from '../../common/errors/index.js';
import type { QueryValue } from '../http/types.js';
import type { ListFilters } from './types.js';

/** The tag filters: each takes a list sent as ONE comma-joined value (`tags=a,b`). */
export const TAG_FILTER_KEYS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'] as const;

/**
 * Turns `filters` into transport query parameters.
 *
 * - `tags` / `tags-any` / `not-tags` / `not-tags-any`: comma-joined; an empty list is left out (an empty
 *   `tags=` would match nothing on some releases and everything on others).
 * - arrays of any other key repeat the key (`id=a&id=b`: Neutron ORs them).
 * - `null` is sent as an empty value (`device_id=` matches ports with no device).
 * - `undefined` values are dropped.
 *
 * @throws ValidationError when a tag contains a comma (it could not be expressed in a tag filter, and
 *   Neutron refuses such tags anyway).
 */
export function encodeFilters(filters: ListFilters | undefined): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  if (filters === undefined) return query;
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if ((TAG_FILTER_KEYS as readonly string[]).includes(key)) {
      if (!Array.isArray(value)) {
        throw new ValidationError(`filter '${key}' must be a list of tags`);
      }
      const tags = value as readonly (string | number)[];
      if (tags.length === 0) continue;
      for (const tag of tags) {
        if (String(tag).includes(',')) {
          throw new ValidationError(`tag '${String(tag)}' contains a comma; Neutron tags cannot`);
        }
      }
      query[key] = tags.join(',');
    } else if (value === null) {
      query[key] = '';
    } else {
      query[key] = value;
    }
  }
  return query;
}
