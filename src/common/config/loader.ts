/**
 * @module Load kuryr.conf the way oslo.config does, plus ambient OpenStack credentials, into the typed
 * {@link KuryrConfig}. Layers, lowest precedence first (docs/configuration.md "Precedence"):
 * defaults < legacy env defaults (OS_KURYR_URI, CAPABILITY_SCOPE, K8S_API) < plain OS_* < clouds.yaml
 * (OS_CLOUD) < kuryr.conf files (in order) < oslo env OS_<GROUP>__<OPT> < CLI flags.
 * Ambient credentials (OS_*, clouds.yaml) apply only when no higher layer sets `[neutron] auth_url`,
 * `auth_type` or `endpoint_override`, so one identity is never assembled from two clouds.
 */
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigurationError } from '../errors/index.js';
import {
  credentialsFromCloudsYaml,
  credentialsFromOsEnv,
  type CredentialSetting,
} from './credentials.js';
import { parseIni } from './ini.js';
import { substituteSettings } from './interpolate.js';
import {
  SECTIONS,
  camel,
  findOption,
  groupKey,
  kuryrConfigSchema,
  type AnyOption,
  type KuryrConfig,
} from './schema/index.js';
import { formatSource, settingId, type RawSetting, type ValueSource } from './source.js';

/** Default config file and directory (oslo `default_config_files` / `default_config_dirs` for kuryr). */
export const DEFAULT_CONFIG_FILE = '/etc/kuryr/kuryr.conf';
export const DEFAULT_CONFIG_DIR = '/etc/kuryr/kuryr.conf.d';

/** One `--config-file` or `--config-dir` argument. */
export interface ConfigSourceArg {
  kind: 'file' | 'dir';
  path: string;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** `--config-file` values in order; missing ones are an error. @default [] (then the default file) */
  configFiles?: string[];
  /** `--config-dir` values; their `*.conf` files are read sorted, after the files. @default [] */
  configDirs?: string[];
  /**
   * `--config-file`/`--config-dir` in command-line order (oslo reads them interleaved as given); when
   * non-empty it replaces configFiles and configDirs.
   */
  configOrder?: ConfigSourceArg[];
  /** Environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** CLI flags: oslo group → option name → value (string or typed), e.g. `{ DEFAULT: { debug: true } }`. */
  overrides?: Record<string, Record<string, unknown>>;
  /** Files read when neither configFiles nor configDirs is given (missing = fine). @default [DEFAULT_CONFIG_FILE] */
  defaultConfigFiles?: string[];
  /** Dirs read when neither configFiles nor configDirs is given (missing = fine). @default [DEFAULT_CONFIG_DIR] */
  defaultConfigDirs?: string[];
  /** Directory searched first for clouds.yaml. @default process.cwd() */
  cwd?: string;
  /** Home directory for ~/.config/openstack/clouds.yaml. @default env.HOME or os.homedir() */
  home?: string;
  /** Warnings are also logged here. */
  log?: Logger;
}

/** Effective origin of every option: oslo group → option name → source. */
export type ConfigSources = Record<string, Record<string, ValueSource>>;

/** Result of {@link loadConfig}. */
export interface LoadedConfig {
  config: KuryrConfig;
  sources: ConfigSources;
  /** Files actually read, in order. */
  files: string[];
  /** Unknown sections/keys, deprecated names, unknown oslo env variables. */
  warnings: string[];
}

type Setting = RawSetting;

const LEGACY_ENV: ReadonlyArray<readonly [string, string, string]> = [
  ['OS_KURYR_URI', 'DEFAULT', 'kuryr_uri'],
  ['CAPABILITY_SCOPE', 'DEFAULT', 'capability_scope'],
  ['K8S_API', 'kubernetes', 'api_root'],
];
const AUTH_SELECTORS = ['auth_url', 'auth_type', 'endpoint_override'];

/** oslo's environment variable name of an option: `OS_<GROUP>__<OPT>`. */
export function osloEnvName(group: string, name: string): string {
  return `OS_${group.toUpperCase()}__${name.toUpperCase()}`.replace(/-/g, '_');
}

async function listConfDir(dir: string, mustExist: boolean): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names
      .filter((n) => n.endsWith('.conf'))
      .sort()
      .map((n) => join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !mustExist) return [];
    throw new ConfigurationError(`config dir ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

async function readConf(file: string, mustExist: boolean): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !mustExist) return undefined;
    throw new ConfigurationError(`config file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Read every configured source and validate the result against the schema.
 *
 * @returns typed config, the source of every option, the files read, warnings
 * @throws ConfigurationError missing explicit file/dir, INI syntax error (`file:line: …`), wrong type
 *   (`file:line: [group] key: message`), bad clouds.yaml
 * @example const { config } = await loadConfig({ configFiles: ['/etc/kuryr/kuryr.conf'] });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const settings = new Map<string, Setting>(); // `${group}\0${name}` → winning value
  const id = settingId;
  const set = (group: string, name: string, value: unknown, source: ValueSource) =>
    settings.set(id(group, name), { value, source });

  // 1. Legacy env variables of the original are *defaults* there (`default=os.environ.get(...)`).
  for (const [name, group, key] of LEGACY_ENV) {
    const v = env[name];
    if (v !== undefined) set(group, key, v, { kind: 'env', name });
  }

  // 2. Files: explicit ones must exist; the defaults may be absent.
  const order: ConfigSourceArg[] = options.configOrder?.length
    ? options.configOrder
    : [
        ...(options.configFiles ?? []).map((path) => ({ kind: 'file' as const, path })),
        ...(options.configDirs ?? []).map((path) => ({ kind: 'dir' as const, path })),
      ];
  const fileList: Array<[string, boolean]> = [];
  if (order.length > 0) {
    for (const arg of order) {
      if (arg.kind === 'file') fileList.push([arg.path, true]);
      else for (const f of await listConfDir(arg.path, true)) fileList.push([f, true]);
    }
  } else {
    for (const f of options.defaultConfigFiles ?? [DEFAULT_CONFIG_FILE]) fileList.push([f, false]);
    for (const d of options.defaultConfigDirs ?? [DEFAULT_CONFIG_DIR]) {
      for (const f of await listConfDir(d, false)) fileList.push([f, false]);
    }
  }
  const fileSettings = new Map<string, Setting>();
  const files: string[] = [];
  const warnedSections = new Set<string>();
  for (const [file, mustExist] of fileList) {
    const text = await readConf(file, mustExist);
    if (text === undefined) continue;
    files.push(file);
    for (const [group, keys] of parseIni(text, file)) {
      for (const [key, occurrences] of keys) {
        const first = occurrences[0]!;
        const found = findOption(group, key);
        if (found === undefined) {
          const known = SECTIONS.some((s) => s.group === group);
          if (!known && !warnedSections.has(group)) {
            warnedSections.add(group);
            warnings.push(`${file}:${first.line}: unknown section [${group}], ignored`);
          } else if (known)
            warnings.push(`${file}:${first.line}: [${group}] ${key}: unknown option, ignored`);
          continue;
        }
        if (key !== found.key) {
          warnings.push(`${file}:${first.line}: [${group}] ${key} is deprecated, use ${found.key}`);
        }
        const lastOcc = occurrences.at(-1)!;
        if (found.option.meta.type === 'multi') {
          // Multi-valued options accumulate across files, as in oslo.config.
          const prev = fileSettings.get(id(found.group, found.key));
          const prevValues = Array.isArray(prev?.value) ? (prev.value as string[]) : [];
          fileSettings.set(id(found.group, found.key), {
            value: [...prevValues, ...occurrences.map((o) => o.value)],
            source: { kind: 'file', file, line: first.line },
          });
        } else {
          fileSettings.set(id(found.group, found.key), {
            value: lastOcc.value,
            source: { kind: 'file', file, line: lastOcc.line },
          });
        }
      }
    }
  }

  // 3. oslo env and CLI, collected before deciding whether ambient credentials apply.
  const upper = new Map<string, Setting>();
  const knownEnv = new Set<string>();
  for (const s of SECTIONS) {
    for (const o of s.options as readonly AnyOption[]) {
      const name = osloEnvName(s.group, o.meta.name);
      knownEnv.add(name);
      const v = env[name];
      if (v !== undefined) {
        upper.set(id(s.group, o.meta.name), {
          value: o.meta.type === 'multi' ? [v] : v,
          source: { kind: 'env', name },
        });
      }
    }
  }
  for (const name of Object.keys(env)) {
    if (/^OS_[A-Z0-9_]+__[A-Z0-9_]+$/.test(name) && !knownEnv.has(name)) {
      warnings.push(`env ${name}: no such option, ignored`);
    }
  }
  for (const [group, values] of Object.entries(options.overrides ?? {})) {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const found = findOption(group, key);
      if (found === undefined)
        throw new ConfigurationError(`override [${group}] ${key}: no such option`);
      upper.set(id(found.group, found.key), {
        value,
        source: { kind: 'cli', flag: `[${group}] ${key}` },
      });
    }
  }

  // 4. Ambient credentials, unless a higher layer selects the identity itself.
  const selected = AUTH_SELECTORS.some(
    (k) => fileSettings.has(id('neutron', k)) || upper.has(id('neutron', k)),
  );
  if (!selected) {
    const cwd = options.cwd ?? process.cwd();
    const home = options.home ?? env.HOME ?? homedir();
    const put = (list: CredentialSetting[]) =>
      list.forEach((c) => set('neutron', c.key, c.value, c.source));
    put(credentialsFromOsEnv(env));
    put(await credentialsFromCloudsYaml(env, cwd, home));
  }
  for (const [k, v] of fileSettings) settings.set(k, v);
  for (const [k, v] of upper) settings.set(k, v);

  // 5. oslo `$opt` substitution in values from files and the oslo env (never clouds.yaml/openrc/CLI).
  substituteSettings(settings);

  // 6. Validate everything in one schema pass; map issues back to their origin.
  const raw: Record<string, Record<string, unknown>> = {};
  const sources: ConfigSources = {};
  for (const s of SECTIONS) {
    raw[groupKey(s.group)] = {};
    sources[s.group] = {};
    for (const o of s.options as readonly AnyOption[]) {
      const hit = settings.get(id(s.group, o.meta.name));
      sources[s.group]![o.meta.name] = hit?.source ?? { kind: 'default' };
      if (hit !== undefined) raw[groupKey(s.group)]![camel(o.meta.name)] = hit.value;
    }
  }
  const parsed = kuryrConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      const [g, k] = issue.path.map(String);
      const s = SECTIONS.find((x) => groupKey(x.group) === g);
      const o = (s?.options as readonly AnyOption[] | undefined)?.find(
        (x) => camel(x.meta.name) === k,
      );
      if (s === undefined || o === undefined) return `${issue.path.join('.')}: ${issue.message}`;
      const where = formatSource(sources[s.group]![o.meta.name]!);
      return `${where}: [${s.group}] ${o.meta.name}: ${issue.message}`;
    });
    throw new ConfigurationError(`invalid configuration:\n  ${messages.join('\n  ')}`, {
      details: { errors: messages },
    });
  }
  for (const w of warnings) options.log?.warn(w);
  return { config: parsed.data, sources, files, warnings };
}
