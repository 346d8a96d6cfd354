/**
 * @module Handler registry by `[kubernetes] enabled_handlers` alias. The alias list is the Python
 * Kuryr's (COMPATIBILITY.md §5); a name outside it fails start-up with the list of valid aliases, and a
 * valid alias whose handler this build does not have yet fails with a clear "not implemented" message
 * (never a silent no-op).
 */
import { ConfigurationError } from '../../common/errors/index.js';
import type { ResourceHandler } from './types.js';

/** Every alias `enabled_handlers` accepts. */
export const HANDLER_ALIASES = [
  'vif',
  'kuryrport',
  'namespace',
  'kuryrnetwork',
  'kuryrnetwork_population',
  'policy',
  'kuryrnetworkpolicy',
  'pod_label',
  'service',
  'endpoints',
  'kuryrloadbalancer',
] as const;

/** A valid `enabled_handlers` value. */
export type HandlerAlias = (typeof HANDLER_ALIASES)[number];

/** Builds one handler from its dependencies. */
export type HandlerFactory<D> = (deps: D) => ResourceHandler;

/** alias → factory, for the aliases this build implements. */
export type HandlerRegistry<D> = Readonly<Partial<Record<HandlerAlias, HandlerFactory<D>>>>;

/** True when `alias` is a valid `enabled_handlers` value. */
export function isHandlerAlias(alias: string): alias is HandlerAlias {
  return (HANDLER_ALIASES as readonly string[]).includes(alias);
}

/**
 * Resolve `enabled_handlers` once at start-up.
 *
 * @throws ConfigurationError for an unknown alias (lists the valid ones) or an alias without an
 *   implementation in `registry` (lists the implemented ones)
 */
export function resolveHandlers<D>(
  aliases: readonly string[],
  registry: HandlerRegistry<D>,
  deps: D,
): ResourceHandler[] {
  const unknown = aliases.filter((a) => !isHandlerAlias(a));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `[kubernetes] enabled_handlers: unknown handler(s) ${unknown.join(', ')}; valid: ${HANDLER_ALIASES.join(', ')}`,
    );
  }
  const missing = aliases.filter((a) => !registry[a as HandlerAlias]);
  if (missing.length > 0) {
    const have = Object.keys(registry);
    throw new ConfigurationError(
      `[kubernetes] enabled_handlers: ${missing.join(', ')} not implemented in this build yet ` +
        `(implemented: ${have.length ? have.join(', ') : 'none'}); see docs/kubernetes.md`,
    );
  }
  return [...new Set(aliases)].map((a) => registry[a as HandlerAlias]!(deps));
}
