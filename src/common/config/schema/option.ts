/**
 * @module Typed kuryr.conf option builders. Each builder returns the option's metadata (name, type, default,
 * help, deprecated name, secret flag — what `kuryr config check` and docs/configuration.md show) and a zod
 * schema that turns the raw INI/env string (or an already typed value from a CLI flag) into the typed value.
 * Type semantics follow oslo.config (bool words, comma lists, `k:v` dicts, bounded ints).
 */
import { z } from 'zod';

/** oslo.config option types we support. */
export type OptionType = 'string' | 'bool' | 'int' | 'float' | 'list' | 'multi' | 'dict' | 'enum';

/** Raw input of an option: one string per occurrence (`multi`), a string, or a typed value. */
export type RawOptionInput = unknown;

/** Optional facets of an option. */
export interface OptionExtra {
  /** Old name still accepted in the same section (oslo `deprecated_name`). */
  deprecatedName?: string;
  /** Mask the value in every output (logs, `config check`). */
  secret?: boolean;
  /** Lower bound (int/float). */
  min?: number;
  /** Upper bound (int/float). */
  max?: number;
  /** Override how the default is documented (e.g. the hostname of the machine). */
  defaultDoc?: string;
}

/** Everything known about one option except its parser. */
export interface OptionMeta<N extends string = string> extends OptionExtra {
  name: N;
  type: OptionType;
  default: unknown;
  help: string;
  choices?: readonly string[];
}

/** An option: metadata plus the zod schema from raw input to `T`. */
export interface Option<N extends string, T> {
  meta: OptionMeta<N>;
  schema: z.ZodType<T>;
}

/** Any option (for collections). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOption = Option<string, any>;

/** Value type of an option. */
export type OptionValue<O> = O extends Option<string, infer T> ? T : never;

/** `vif_plugging_timeout` → `vifPluggingTimeout` (the camelCase mirror used in code). */
export type Camel<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<Camel<T>>}`
  : S;

/** Runtime twin of {@link Camel}. */
export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const TRUE_WORDS = new Set(['true', 'yes', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'off']);

/** Parse an oslo boolean word; `undefined` when it is none. */
export function parseBool(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** Split an oslo list value: comma-separated, items trimmed, empty string ⇒ []. */
export function parseList(text: string): string[] {
  if (text.trim() === '') return [];
  return text.split(',').map((item) => item.trim());
}

function build<N extends string, T>(
  meta: OptionMeta<N>,
  convert: (value: unknown, fail: (message: string) => never) => T,
): Option<N, T> {
  const schema = z.unknown().transform((value, ctx): T => {
    try {
      return convert(value, (message) => {
        throw new OptionParseError(message);
      });
    } catch (err) {
      if (!(err instanceof OptionParseError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  });
  const withDefault = z.preprocess(
    (v) => (v === undefined ? structuredClone(meta.default) : v),
    schema,
  ) as unknown as z.ZodType<T>;
  return { meta, schema: withDefault };
}

class OptionParseError extends Error {}

const shown = (v: unknown): string => JSON.stringify(v);

/** String option (`default` undefined ⇒ oslo `None`). */
export function str<N extends string, D extends string | undefined>(
  name: N,
  def: D,
  help: string,
  extra: OptionExtra = {},
): Option<N, D extends string ? string : string | undefined> {
  return build({ name, type: 'string', default: def, help, ...extra }, (v, fail) => {
    const value = v;
    if (value === undefined) return undefined as never;
    if (typeof value !== 'string') fail(`expected a string, got ${shown(value)}`);
    return value as never;
  });
}

/** Boolean option: true/false/yes/no/1/0/on/off, case-insensitive. */
export function bool<N extends string>(
  name: N,
  def: boolean,
  help: string,
  extra: OptionExtra = {},
): Option<N, boolean> {
  return build({ name, type: 'bool', default: def, help, ...extra }, (v, fail) => {
    const value = v;
    if (typeof value === 'boolean') return value;
    const parsed = typeof value === 'string' ? parseBool(value) : undefined;
    if (parsed === undefined) {
      fail(`expected a boolean (true/false, yes/no, on/off, 1/0), got ${shown(value)}`);
    }
    return parsed!;
  });
}

function numeric<N extends string, D extends number | undefined>(
  type: 'int' | 'float',
  name: N,
  def: D,
  help: string,
  extra: OptionExtra,
): Option<N, D extends number ? number : number | undefined> {
  return build({ name, type, default: def, help, ...extra }, (v, fail) => {
    const value = v;
    if (value === undefined) return undefined as never;
    const pattern = type === 'int' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    const text =
      typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
    if (!pattern.test(text))
      fail(`expected ${type === 'int' ? 'an integer' : 'a number'}, got ${shown(value)}`);
    const n = Number(text);
    if (extra.min !== undefined && n < extra.min) fail(`must be >= ${extra.min}, got ${n}`);
    if (extra.max !== undefined && n > extra.max) fail(`must be <= ${extra.max}, got ${n}`);
    return n as never;
  });
}

/** Integer option with optional bounds (`min`, `max` in `extra`). */
export function int<N extends string, D extends number | undefined>(
  name: N,
  def: D,
  help: string,
  extra: OptionExtra = {},
): Option<N, D extends number ? number : number | undefined> {
  return numeric('int', name, def, help, extra);
}

/** Floating-point option with optional bounds. */
export function float<N extends string, D extends number | undefined>(
  name: N,
  def: D,
  help: string,
  extra: OptionExtra = {},
): Option<N, D extends number ? number : number | undefined> {
  return numeric('float', name, def, help, extra);
}

/** Comma-separated list option. */
export function list<N extends string>(
  name: N,
  def: string[],
  help: string,
  extra: OptionExtra = {},
): Option<N, string[]> {
  return build({ name, type: 'list', default: def, help, ...extra }, (v, fail) => {
    const value = v;
    if (Array.isArray(value)) return value.map(String);
    if (typeof value !== 'string') fail(`expected a comma-separated list, got ${shown(value)}`);
    return parseList(value as string);
  });
}

/** Multi-valued option: the key is repeated, one value per occurrence. */
export function multi<N extends string>(
  name: N,
  def: string[],
  help: string,
  extra: OptionExtra = {},
): Option<N, string[]> {
  return build({ name, type: 'multi', default: def, help, ...extra }, (v, fail) => {
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v)) fail(`expected repeated values, got ${shown(v)}`);
    return (v as unknown[]).map(String);
  });
}

/** Dict option: `key:value,key:value`. */
export function dict<N extends string>(
  name: N,
  def: Record<string, string>,
  help: string,
  extra: OptionExtra = {},
): Option<N, Record<string, string>> {
  return build({ name, type: 'dict', default: def, help, ...extra }, (v, fail) => {
    const value = v;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return { ...(value as Record<string, string>) };
    }
    if (typeof value !== 'string') fail(`expected key:value pairs, got ${shown(value)}`);
    const out: Record<string, string> = {};
    for (const item of parseList(value as string)) {
      if (item === '') continue;
      const colon = item.indexOf(':');
      if (colon <= 0) fail(`expected key:value pairs separated by commas, got ${shown(item)}`);
      out[item.slice(0, colon).trim()] = item.slice(colon + 1).trim();
    }
    return out;
  });
}

/** Enumerated string option (`default` undefined ⇒ unset unless configured). */
export function choice<N extends string, const C extends string, D extends C | undefined>(
  name: N,
  choices: readonly C[],
  def: D,
  help: string,
  extra: OptionExtra = {},
): Option<N, D extends C ? C : C | undefined> {
  return build({ name, type: 'enum', default: def, help, choices, ...extra }, (v, fail) => {
    const value = v;
    if (value === undefined) return undefined as never;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      fail(`must be one of ${choices.join(', ')}; got ${shown(value)}`);
    }
    return value as never;
  });
}
