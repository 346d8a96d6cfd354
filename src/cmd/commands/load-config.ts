/**
 * @module The one way every `kuryr` sub-command loads its configuration: read the global options
 * (`--config-file`, `--config-dir`, `--debug`), call {@link loadConfig}, build the logger from the result.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Logger } from 'pino';
import {
  loadConfig,
  type ConfigSourceArg,
  type LoadedConfig,
  type LoadConfigOptions,
} from '../../common/config/loader.js';
import { describeConfig, formatValue } from '../../common/config/describe.js';
import { createLogger } from '../../common/log.js';

/** Global options of the `kuryr` program (declared by {@link addGlobalOptions}). */
export interface GlobalOptions {
  configFile?: string[];
  configDir?: string[];
  /** Both of the above in command-line order. */
  configOrder?: ConfigSourceArg[];
  debug?: boolean;
}

/** Options of {@link loadCommandConfig}. */
export interface LoadCommandConfigOptions extends Pick<LoadConfigOptions, 'env' | 'overrides'> {
  /** Logger name (the sub-command or daemon). @default 'kuryr' */
  name?: string;
}

/** What a sub-command gets: the loaded config plus a logger configured from it. */
export interface CommandContext extends LoadedConfig {
  log: Logger;
}

/** Version from package.json (src/cmd/commands/ in development, dist/ when bundled). */
export function packageVersion(): string {
  for (const rel of ['../../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        version?: string;
      };
      if (pkg.version) return pkg.version;
    } catch {
      // try the next layout
    }
  }
  return 'unknown';
}

/**
 * Declare the global options every sub-command understands: repeatable `--config-file` and `--config-dir`
 * (oslo style), `--debug`, and `--version`.
 *
 * @returns the same program, for chaining
 */
export function addGlobalOptions(program: Command): Command {
  // oslo reads --config-file and --config-dir interleaved in command-line order: record that order too.
  const order: ConfigSourceArg[] = [];
  const collect =
    (kind: ConfigSourceArg['kind']) =>
    (value: string, previous: string[] = []): string[] => {
      order.push({ kind, path: value });
      program.setOptionValue('configOrder', [...order]);
      return [...previous, value];
    };
  return program
    .version(packageVersion())
    .addOption(
      new Option(
        '--config-file <path>',
        'kuryr.conf to read (repeatable; default /etc/kuryr/kuryr.conf)',
      ).argParser(collect('file')),
    )
    .addOption(
      new Option(
        '--config-dir <dir>',
        'directory whose *.conf files are read sorted (repeatable)',
      ).argParser(collect('dir')),
    )
    .option('--debug', 'log at debug level (overrides [DEFAULT] debug)');
}

/** Read the global options of `cmd` (works at any nesting depth). */
export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/**
 * Load kuryr.conf for a sub-command: `--config-file`/`--config-dir` as given (else /etc/kuryr/kuryr.conf),
 * `--debug` as the highest-precedence `[DEFAULT] debug`, then a logger per `[DEFAULT] debug/log_file/log_dir`.
 * Warnings (unknown keys, deprecated names) are logged.
 *
 * @throws ConfigurationError see {@link loadConfig}
 * @example
 *   program.command('status').action(async (_opts, cmd: Command) => {
 *     const { config, log } = await loadCommandConfig(cmd, { name: 'kuryr-status' });
 *   });
 */
export async function loadCommandConfig(
  cmd: Command,
  options: LoadCommandConfigOptions = {},
): Promise<CommandContext> {
  const g = globalOptions(cmd);
  const overrides = { ...(options.overrides ?? {}) };
  if (g.debug) overrides.DEFAULT = { ...(overrides.DEFAULT ?? {}), debug: true };
  const loaded = await loadConfig({
    configFiles: g.configFile ?? [],
    configDirs: g.configDir ?? [],
    configOrder: g.configOrder ?? [],
    overrides,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const d = loaded.config.default;
  const log = createLogger({
    name: options.name ?? 'kuryr',
    debug: d.debug,
    // Development only: pino-pretty is a devDependency, loaded by name only when asked for.
    pretty: (options.env ?? process.env).KURYR_LOG_PRETTY === '1',
    ...(d.logFile === undefined ? {} : { logFile: d.logFile }),
    ...(d.logDir === undefined ? {} : { logDir: d.logDir }),
  });
  for (const w of loaded.warnings) log.warn(w);
  if (log.isLevelEnabled('debug')) {
    // Non-default options only, secrets already masked by describeConfig.
    const options = describeConfig(loaded, true).map(
      (r) => `[${r.section}] ${r.key} = ${formatValue(r.value)} (${r.source})`,
    );
    log.debug({ files: loaded.files, options }, 'effective configuration');
  }
  return { ...loaded, log };
}
