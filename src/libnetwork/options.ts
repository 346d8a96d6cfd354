/**
 * @module Settings the libnetwork services read, a narrow camelCase view of kuryr.conf (COMPATIBILITY.md §4)
 * built by the composition root, so the services do not depend on the whole config schema.
 */

/** Settings of the libnetwork driver. */
export interface LibnetworkOptions {
  /** `[DEFAULT] capability_scope`. @default 'local' */
  capabilityScope: 'local' | 'global';
  /** `[DEFAULT] local_default_address_space`. @default 'no_address_space' */
  localDefaultAddressSpace: string;
  /** `[DEFAULT] global_default_address_space`. @default 'no_address_space' */
  globalDefaultAddressSpace: string;
  /** `[DEFAULT] subnetpool_name_prefix`. @default 'kuryrPool' */
  subnetpoolNamePrefix: string;
  /** `[DEFAULT] process_external_connectivity`. @default true */
  processExternalConnectivity: boolean;
  /** `[neutron] enable_dhcp`. @default true */
  enableDhcp: boolean;
  /** `[neutron] default_subnetpool_v4`. @default 'kuryr' */
  defaultSubnetpoolV4: string;
  /** `[neutron] default_subnetpool_v6`. @default 'kuryr6' */
  defaultSubnetpoolV6: string;
  /** `[neutron] vif_plugging_is_fatal`. @default false */
  vifPluggingIsFatal: boolean;
  /** `[neutron] vif_plugging_timeout` in seconds, 0 = wait forever. @default 0 */
  vifPluggingTimeout: number;
  /** `[binding] veth_dst_prefix`. @default 'eth' */
  vethDstPrefix: string;
  /** `binding:host_id` of created ports (the host name the L2 agent reports). */
  host: string;
  /** Tag mode (normal) or name mode (cloud without tag extension), detected at start-up. */
  tagMode: boolean;
}

/** The defaults of kuryr.conf for the libnetwork side. */
export function defaultLibnetworkOptions(host: string): LibnetworkOptions {
  return {
    capabilityScope: 'local',
    localDefaultAddressSpace: 'no_address_space',
    globalDefaultAddressSpace: 'no_address_space',
    subnetpoolNamePrefix: 'kuryrPool',
    processExternalConnectivity: true,
    enableDhcp: true,
    defaultSubnetpoolV4: 'kuryr',
    defaultSubnetpoolV6: 'kuryr6',
    vifPluggingIsFatal: false,
    vifPluggingTimeout: 0,
    vethDstPrefix: 'eth',
    host,
    tagMode: true,
  };
}
