/**
 * @module A kuryr.conf section: its oslo group name, its camelCase key in {@link KuryrConfig}, its options.
 */
import type { AnyOption, Camel, OptionValue } from './option.js';

/** One `[group]` of kuryr.conf. */
export interface SectionDef<G extends string, O extends readonly AnyOption[]> {
  /** oslo group name as written in kuryr.conf (`DEFAULT`, `neutron`, `cni_daemon`, …). */
  group: G;
  /** One line for the generated docs. */
  help: string;
  options: O;
}

/** Typed values of a section: camelCase option name → value. */
export type SectionValues<O extends readonly AnyOption[]> = {
  [X in O[number] as Camel<X['meta']['name']>]: OptionValue<X>;
};

/** Declare a section (keeps the literal option names for typing). */
export function section<G extends string, const O extends readonly AnyOption[]>(
  group: G,
  help: string,
  options: O,
): SectionDef<G, O> {
  return { group, help, options };
}
