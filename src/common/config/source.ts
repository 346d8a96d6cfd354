/**
 * @module Where an effective option value came from, for `kuryr config check` and error messages.
 */

/** Origin of one option value. */
export type ValueSource =
  | { kind: 'default' }
  | { kind: 'file'; file: string; line: number }
  | { kind: 'env'; name: string }
  | { kind: 'clouds.yaml'; file: string; cloud: string }
  | { kind: 'cli'; flag: string };

/**
 * Render a source the way messages and `config check` show it.
 *
 * @example formatSource({ kind: 'file', file: '/etc/kuryr/kuryr.conf', line: 3 }) // '/etc/kuryr/kuryr.conf:3'
 */
export function formatSource(source: ValueSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${source.file}:${source.line}`;
    case 'env':
      return `env ${source.name}`;
    case 'clouds.yaml':
      return `${source.file} (cloud ${source.cloud})`;
    case 'cli':
      return `cli ${source.flag}`;
  }
}

/** A raw (not yet validated) value with its origin. */
export interface RawSetting {
  value: unknown;
  source: ValueSource;
}

/** Key of a setting in the loader's maps: group and option name. */
export function settingId(group: string, name: string): string {
  return `${group}\0${name}`;
}
