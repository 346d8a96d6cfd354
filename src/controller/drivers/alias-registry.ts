/**
 * @module A read-only alias → factory map for one plug-in point (ARCHITECTURE.md §3). The alias strings
 * are exactly the Python ones; an unknown alias is a ConfigurationError naming the key and listing the
 * valid aliases, so a typo in kuryr.conf stops start-up with a clear message.
 */
import { ConfigurationError } from '../../common/errors/index.js';

/** Resolves `alias` in `factories`. @throws ConfigurationError for an unknown alias. */
export function resolveAlias<F>(
  factories: Readonly<Record<string, F>>,
  alias: string,
  configKey: string,
): F {
  const factory = Object.hasOwn(factories, alias) ? factories[alias] : undefined;
  if (factory === undefined) {
    throw new ConfigurationError(
      `unknown ${configKey} '${alias}'; valid values: ${Object.keys(factories).sort().join(', ')}`,
      { details: { configKey, alias } },
    );
  }
  return factory;
}
