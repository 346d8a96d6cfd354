/**
 * @module Public entry of the configuration layer: load kuryr.conf (+ env, clouds.yaml, CLI) into the
 * typed {@link KuryrConfig}. Import from here rather than from the individual files.
 */
export { loadConfig, osloEnvName, DEFAULT_CONFIG_DIR, DEFAULT_CONFIG_FILE } from './loader.js';
export type { ConfigSourceArg, ConfigSources, LoadConfigOptions, LoadedConfig } from './loader.js';
export { describeConfig, formatValue, MASK, type EffectiveOption } from './describe.js';
export { formatSource, type ValueSource } from './source.js';
export { parseIni, type IniDocument, type IniValue } from './ini.js';
export { renderSampleConfig } from './sample.js';
export {
  SECTIONS,
  defaultConfig,
  findOption,
  kuryrConfigSchema,
  snakeSection,
  type KuryrConfig,
} from './schema/index.js';
