/**
 * @module The kuryr.conf schema: every section, the typed {@link KuryrConfig} (camelCase mirror of the
 * snake_case keys) and ONE zod schema that turns raw values (strings from files/env, typed values from CLI
 * flags) into it, applying Python Kuryr's defaults for everything missing.
 */
import { z } from 'zod';
import { bindingSection } from './binding.js';
import { defaultSection } from './default.js';
import {
  namespaceSubnetSection,
  neutronDefaultsSection,
  octaviaDefaultsSection,
  podVifNestedSection,
  poolManagerSection,
  vifPoolSection,
} from './k8s-drivers.js';
import { cniDaemonSection, kubernetesSection } from './kubernetes.js';
import { neutronSection } from './neutron.js';
import { camel, type AnyOption, type Camel } from './option.js';
import type { SectionValues } from './section.js';
import {
  cacheDefaultsSection,
  cniHealthServerSection,
  healthServerSection,
  nestedDpdkSection,
  nodeDriverCachingSection,
  nodesCachingSection,
  prometheusExporterSection,
  subnetCachingSection,
  vhostuserSection,
} from './servers.js';

export * from './option.js';
export type { SectionDef, SectionValues } from './section.js';

/** Every section, in documentation order. */
export const SECTIONS = [
  defaultSection,
  neutronSection,
  bindingSection,
  kubernetesSection,
  cniDaemonSection,
  neutronDefaultsSection,
  octaviaDefaultsSection,
  namespaceSubnetSection,
  podVifNestedSection,
  vifPoolSection,
  poolManagerSection,
  healthServerSection,
  cniHealthServerSection,
  prometheusExporterSection,
  vhostuserSection,
  nestedDpdkSection,
  cacheDefaultsSection,
  subnetCachingSection,
  nodesCachingSection,
  nodeDriverCachingSection,
] as const;

type Section = (typeof SECTIONS)[number];

/** Key of a group in {@link KuryrConfig}: `DEFAULT` → `default`, `cni_daemon` → `cniDaemon`. */
export type GroupKey<G extends string> = G extends 'DEFAULT' ? 'default' : Camel<G>;

/** Runtime twin of {@link GroupKey}. */
export function groupKey(group: string): string {
  return group === 'DEFAULT' ? 'default' : camel(group);
}

/** The typed, validated configuration every component receives. */
export type KuryrConfig = {
  [S in Section as GroupKey<S['group']>]: SectionValues<S['options']>;
};

/** Raw input accepted by {@link kuryrConfigSchema}: group key → option key → raw value (all optional). */
export type RawKuryrConfig = Record<string, Record<string, unknown>>;

/** An option located in its section. */
export interface LocatedOption {
  group: string;
  key: string;
  option: AnyOption;
}

const shape: Record<string, z.ZodType> = {};
for (const s of SECTIONS) {
  const inner: Record<string, z.ZodType> = {};
  for (const o of s.options as readonly AnyOption[]) inner[camel(o.meta.name)] = o.schema;
  shape[groupKey(s.group)] = z.object(inner).prefault({});
}

/**
 * The one zod schema of kuryr.conf. Input: {@link RawKuryrConfig}; output: {@link KuryrConfig}.
 *
 * @example kuryrConfigSchema.parse({}).neutron.vifPluggingTimeout // 0
 */
export const kuryrConfigSchema = z.object(shape) as unknown as z.ZodType<
  KuryrConfig,
  RawKuryrConfig
>;

/**
 * Find an option by group and key as written in kuryr.conf (its current or deprecated name).
 *
 * @returns the option, or undefined for an unknown group/key
 */
export function findOption(group: string, name: string): LocatedOption | undefined {
  const s = SECTIONS.find((x) => x.group === group);
  if (s === undefined) return undefined;
  const option = (s.options as readonly AnyOption[]).find(
    (o) => o.meta.name === name || o.meta.deprecatedName === name,
  );
  return option && { group: s.group, key: option.meta.name, option };
}

/** The typed configuration with every default (no file, no env). */
export function defaultConfig(): KuryrConfig {
  return kuryrConfigSchema.parse({});
}

/**
 * One section of a typed config with kuryr.conf's snake_case keys (unset options omitted) — the shape the
 * keystoneauth converter (src/openstack/session-keystoneauth.ts) reads.
 *
 * @example connectionOptionsFromKeystoneauth(snakeSection(config, 'neutron'))
 */
export function snakeSection(config: KuryrConfig, group: string): Record<string, unknown> {
  const s = SECTIONS.find((x) => x.group === group);
  if (s === undefined) throw new Error(`unknown config section [${group}]`);
  const values =
    (config as unknown as Record<string, Record<string, unknown>>)[groupKey(group)] ?? {};
  const out: Record<string, unknown> = {};
  for (const o of s.options as readonly AnyOption[]) {
    const v = values[camel(o.meta.name)];
    if (v !== undefined) out[o.meta.name] = v;
  }
  return out;
}
