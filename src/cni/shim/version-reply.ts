/**
 * @module The VERSION answer, computed from constants only: runtimes exec VERSION for every plugin entry
 * on every command (PROTOCOLS.md B.2), so it must not load anything else.
 */
import { isSupportedCniVersion, SUPPORTED_CNI_VERSIONS } from '../../models/cni-result.js';

/** `{"cniVersion","supportedVersions"}` for the given stdin (echoing the asked version when supported). */
export function versionReply(stdin: string): string {
  let asked: unknown;
  try {
    asked = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
  } catch {
    asked = undefined;
  }
  const cniVersion = isSupportedCniVersion(asked) ? asked : '1.1.0';
  return JSON.stringify({ cniVersion, supportedVersions: SUPPORTED_CNI_VERSIONS });
}
