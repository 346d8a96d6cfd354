/**
 * @module The effective configuration as rows (section, key, value, source) with secrets masked — what
 * `kuryr config check` prints and what daemons may log at start-up.
 */
import type { LoadedConfig } from './loader.js';
import { SECTIONS, camel, groupKey, type AnyOption, type OptionType } from './schema/index.js';
import { formatSource, type ValueSource } from './source.js';

/** Replacement of every set secret value. */
export const MASK = '***';

/** One effective option. */
export interface EffectiveOption {
  section: string;
  key: string;
  type: OptionType;
  /** Typed value; {@link MASK} for a set secret. */
  value: unknown;
  /** `default`, `file:line`, `env NAME`, `<clouds.yaml> (cloud x)`, `cli …`. */
  source: string;
  origin: ValueSource;
  secret: boolean;
}

/**
 * Flatten a loaded configuration into rows in schema order, secrets masked.
 *
 * @param onlyChanged skip options still at their default
 */
export function describeConfig(
  loaded: Pick<LoadedConfig, 'config' | 'sources'>,
  onlyChanged = false,
): EffectiveOption[] {
  const rows: EffectiveOption[] = [];
  const config = loaded.config as unknown as Record<string, Record<string, unknown>>;
  for (const s of SECTIONS) {
    for (const o of s.options as readonly AnyOption[]) {
      const origin = loaded.sources[s.group]?.[o.meta.name] ?? { kind: 'default' };
      if (onlyChanged && origin.kind === 'default') continue;
      const value = config[groupKey(s.group)]?.[camel(o.meta.name)];
      const secret = o.meta.secret === true;
      rows.push({
        section: s.group,
        key: o.meta.name,
        type: o.meta.type,
        value: secret && value !== undefined && value !== '' ? MASK : value,
        source: formatSource(origin),
        origin,
        secret,
      });
    }
  }
  return rows;
}

/** Value as kuryr.conf would spell it (lists comma-joined, dicts `k:v`, unset `<None>`). */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '<None>';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}:${formatValue(v)}`)
      .join(',');
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
