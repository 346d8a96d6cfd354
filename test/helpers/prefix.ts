/**
 * Unique per-run name prefixes for everything a test creates (Neutron objects, netns, links),
 * so parallel runs and leftovers of crashed runs never collide and cleanup can find them.
 *
 * @module test/helpers/prefix
 */
import { randomBytes } from 'node:crypto';

/**
 * Returns `<base>-<6 hex chars>`, e.g. `kt-it-3fa9c1`. Kept short on purpose: Linux link
 * names are limited to 15 characters, so callers can still append a few of their own.
 *
 * @param base the engineer/test prefix, e.g. `kt-it`; letters, digits and `-` only
 */
export function testPrefix(base: string): string {
  if (!/^[a-z0-9-]{1,12}$/i.test(base)) {
    throw new Error(`testPrefix: base '${base}' must be 1-12 letters, digits or '-'`);
  }
  return `${base}-${randomBytes(3).toString('hex')}`;
}
