/**
 * @module Start-up feature detection (COMPATIBILITY.md §1): `subnet_allocation` is mandatory (bounded retries,
 * then ConfigurationError); `standard-attr-tag` (or legacy `tag` + `tag-ext`) selects tag mode, none selects
 * name mode.
 */
import type { Logger } from 'pino';
import { ConfigurationError } from '../common/errors/index.js';
import type { LibnetworkNeutron } from './neutron-port.js';

/** What start-up found. */
export interface NeutronFeatures {
  tagMode: boolean;
  extensions: string[];
}

/** Retry budget of the detection. @default 8 tries, waits 2^n − 1 s as the original */
export interface DetectOptions {
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Detects the Neutron features kuryr needs.
 * @throws ConfigurationError when `subnet_allocation` is missing or Neutron stays unreachable.
 */
export async function detectNeutronFeatures(
  neutron: LibnetworkNeutron,
  log: Logger,
  options: DetectOptions = {},
): Promise<NeutronFeatures> {
  const attempts = options.attempts ?? 8;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let last: unknown;
  for (let n = 0; n < attempts; n++) {
    try {
      const extensions = await neutron.extensions();
      if (!extensions.includes('subnet_allocation')) {
        throw new ConfigurationError(
          'Neutron lacks the subnet_allocation extension, which kuryr-libnetwork requires; enable it in neutron.conf',
        );
      }
      const tagMode =
        extensions.includes('standard-attr-tag') ||
        (extensions.includes('tag') && extensions.includes('tag-ext'));
      log.info(
        { tagMode },
        tagMode ? 'Neutron tag extension found: tag mode' : 'no tag extension: name mode',
      );
      return { tagMode, extensions };
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      last = error;
      const wait = (2 ** (n + 1) - 1) * 1000;
      log.warn(
        { attempt: n + 1, err: error },
        `Neutron not reachable; retrying in ${wait / 1000}s`,
      );
      if (n + 1 < attempts) await sleep(wait);
    }
  }
  throw new ConfigurationError(
    `Neutron unreachable after ${attempts} attempts; check [neutron] auth settings`,
    {
      cause: last,
    },
  );
}
