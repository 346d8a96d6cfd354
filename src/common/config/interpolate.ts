/**
 * @module oslo.config value substitution, so a kuryr.conf written for Python Kuryr means the same here:
 * `$opt` / `${opt}` is the value of `opt` in the same group (else `[DEFAULT]`), `$group.opt` of another
 * group, `$$` and `\$` are a literal `$`. A `$` not followed by a name stays as it is (Python's
 * `Template.safe_substitute`); a name that is no option is an error, as in oslo (NoSuchOptError).
 * NOTE: this is why an existing `password = pa$$word` must become `pa$word` — Python Kuryr sent `pa$word`.
 */
import { ConfigurationError } from '../errors/index.js';
import { findOption } from './schema/index.js';
import { formatSource, settingId, type RawSetting, type ValueSource } from './source.js';

/**
 * Resolves a referenced option to its final string (interpolating it in turn with `depth`);
 * `undefined` = no such option.
 */
export type InterpolationLookup = (
  group: string,
  name: string,
  depth: number,
) => string | undefined;

/** Thrown for an unknown reference or a reference cycle; the loader adds file:line and the key. */
export class InterpolationError extends Error {}

// Python string.Template: `$$`, `${id}`, `$id` with oslo's idpattern `[_a-z][._a-z0-9]*` (case-insensitive).
const PATTERN = /\$(?:(\$)|\{([_a-z][._a-z0-9]*)\}|([_a-z][._a-z0-9]*))/gi;
const MAX_DEPTH = 10;

/**
 * Substitute references in one raw value.
 *
 * @param value raw string from a file or the oslo environment
 * @param group group of the option being resolved (unqualified names look here first, then `DEFAULT`)
 * @param lookup final value of another option (the lookup interpolates it with `depth + 1`)
 * @throws InterpolationError unknown option, or references nested deeper than 10 (a cycle)
 * @example interpolate('$state_path/log', 'DEFAULT', lookup) // '/var/lib/kuryr/log'
 */
export function interpolate(
  value: string,
  group: string,
  lookup: InterpolationLookup,
  depth = 0,
): string {
  if (!value.includes('$')) return value;
  if (depth > MAX_DEPTH)
    throw new InterpolationError('substitution nested too deeply (a cycle of $references?)');
  return value
    .replace(/\\\$/g, '$$$$')
    .replace(PATTERN, (_m, dollar?: string, braced?: string, plain?: string) => {
      if (dollar !== undefined) return '$';
      const ref = (braced ?? plain)!;
      const dot = ref.indexOf('.');
      const candidates: Array<[string, string]> =
        dot > 0
          ? [
              [ref.slice(0, dot), ref.slice(dot + 1)],
              ['DEFAULT', ref],
            ]
          : [
              [group, ref],
              ['DEFAULT', ref],
            ];
      for (const [g, name] of candidates) {
        const resolved = lookup(g, name, depth + 1);
        if (resolved !== undefined) return resolved;
      }
      throw new InterpolationError(
        `substitution failed: no such option $${ref} (write $$ for a literal $)`,
      );
    });
}

/** Python's str() of a typed value, as oslo substitutes it. */
function pyString(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return value.map(pyString).join(',');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}:${pyString(v)}`)
      .join(',');
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const substitutable = (s: ValueSource): boolean =>
  s.kind === 'file' || (s.kind === 'env' && s.name.includes('__'));

/**
 * Apply {@link interpolate} to every setting that came from a file or the oslo env, in place (other
 * origins — clouds.yaml, openrc, CLI — are literal). Unset referenced options give their default.
 *
 * @throws ConfigurationError listing `<origin>: [group] key: substitution failed: …` for every bad value
 */
export function substituteSettings(settings: Map<string, RawSetting>): void {
  const id = settingId;
  const resolve = (group: string, name: string, depth: number): string | undefined => {
    const found = findOption(group, name);
    if (found === undefined) return undefined;
    const hit = settings.get(id(found.group, found.key));
    if (hit === undefined) return pyString(found.option.meta.default);
    if (typeof hit.value === 'string' && substitutable(hit.source)) {
      return interpolate(hit.value, found.group, resolve, depth);
    }
    return pyString(hit.value);
  };
  const errors: string[] = [];
  const out = new Map<string, RawSetting>();
  for (const [key, hit] of settings) {
    if (!substitutable(hit.source)) continue;
    const [group, name] = key.split('\0') as [string, string];
    try {
      const one = (v: unknown) => (typeof v === 'string' ? interpolate(v, group, resolve) : v);
      out.set(key, {
        ...hit,
        value: Array.isArray(hit.value) ? hit.value.map(one) : one(hit.value),
      });
    } catch (err) {
      if (!(err instanceof InterpolationError)) throw err;
      errors.push(`${formatSource(hit.source)}: [${group}] ${name}: ${err.message}`);
    }
  }
  if (errors.length > 0) {
    throw new ConfigurationError(`invalid configuration:\n  ${errors.join('\n  ')}`, {
      details: { errors },
    });
  }
  for (const [key, hit] of out) settings.set(key, hit);
}
