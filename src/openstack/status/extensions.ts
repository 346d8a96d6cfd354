/**
 * @module The Neutron extensions kuryr uses, whether each is mandatory, what its absence disables, and the
 * tagging mode they imply (COMPATIBILITY.md §1).
 */
import type { StatusCheck, TagMode } from './types.js';

/** One extension kuryr looks for. */
interface ExtensionNeed {
  alias: string;
  mandatory: boolean;
  disables: string;
}

/** Extensions checked besides tagging. */
export const NEEDED_EXTENSIONS: readonly ExtensionNeed[] = [
  {
    alias: 'subnet_allocation',
    mandatory: true,
    disables:
      'everything: kuryr allocates every subnet from a subnetpool and refuses to start without it',
  },
  {
    alias: 'binding',
    mandatory: false,
    disables: 'port binding (binding:host_id): containers and pods cannot be plugged on this host',
  },
  {
    alias: 'security-group',
    mandatory: false,
    disables:
      'security groups on container ports, pod/service security group drivers, network policies',
  },
  {
    alias: 'port-security',
    mandatory: false,
    disables: 'port_security_enabled on ports (disabling anti-spoofing for nested or SR-IOV ports)',
  },
  {
    alias: 'allowed-address-pairs',
    mandatory: false,
    disables:
      'nested macvlan pods and the nested Docker port driver (allowed address pairs on the VM port)',
  },
  {
    alias: 'trunk',
    mandatory: false,
    disables:
      'nested VLAN pods (nested-vlan VIF driver) and the vlan Docker port driver (trunk subports)',
  },
];

/** The tagging mode the advertised aliases allow. */
export function tagModeOf(aliases: ReadonlySet<string>): TagMode {
  if (aliases.has('standard-attr-tag')) return 'tag';
  if (aliases.has('tag') && aliases.has('tag-ext')) return 'tag';
  if (aliases.has('tag')) return 'network-tags-only';
  return 'name';
}

/**
 * One row per needed extension plus the tagging row, from the aliases Neutron advertises.
 */
export function extensionChecks(aliases: ReadonlySet<string>): StatusCheck[] {
  const rows: StatusCheck[] = NEEDED_EXTENSIONS.map((need) => {
    const present = aliases.has(need.alias);
    return {
      id: `extension:${need.alias}`,
      group: 'extension',
      state: present ? 'ok' : need.mandatory ? 'missing' : 'warning',
      mandatory: need.mandatory,
      detail: present ? 'present' : 'missing',
      ...(present ? {} : { disables: need.disables }),
    };
  });
  const mode = tagModeOf(aliases);
  const tagAlias = aliases.has('standard-attr-tag') ? 'standard-attr-tag' : 'tag + tag-ext';
  rows.push({
    id: 'extension:tagging',
    group: 'extension',
    state: mode === 'tag' ? 'ok' : 'warning',
    mandatory: false,
    detail:
      mode === 'tag'
        ? `present (${tagAlias}): tag mode`
        : mode === 'network-tags-only'
          ? 'legacy tag only: networks are tagged, subnets/subnetpools/ports are not'
          : 'missing (standard-attr-tag, tag, tag-ext): name mode',
    ...(mode === 'tag'
      ? {}
      : {
          disables:
            'tag-based identity of subnets, pools and ports: kuryr falls back to names (COMPATIBILITY.md §2)',
        }),
  });
  return rows;
}
