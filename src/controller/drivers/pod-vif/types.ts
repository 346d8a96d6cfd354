/**
 * @module The Pod VIF plug-in point (`[kubernetes] pod_vif_driver`): creates, activates and releases
 * the Neutron port(s) behind a pod interface and describes them as a {@link Vif}.
 */
import type { Vif } from '../../../models/vif.js';
import type { Network, Subnet } from '../../../openstack/neutron/index.js';

/** The pod fields the drivers need (a pool request may name only the node). */
export interface PodRef {
  uid: string;
  namespace: string;
  name: string;
  /** `spec.nodeName`: `binding:host_id` for neutron-vif. */
  nodeName: string;
  /** `status.hostIP`: finds the node VM's port for the nested drivers. */
  hostIp?: string;
}

/** A subnet a pod gets an address on, with its network (what the subnets driver returns). */
export interface PodSubnet {
  subnet: Subnet;
  network: Network;
}

/** One VIF request. */
export interface VifRequest {
  pod: PodRef;
  projectId: string;
  subnets: readonly PodSubnet[];
  securityGroups: readonly string[];
}

/** Options of a driver call. */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * Contract of every Pod VIF driver:
 * - `requestVif` creates exactly one port (tagged with `[neutron_defaults] resource_tags`) and returns
 *   its VIF; a failure leaves no port behind.
 * - `requestVifs` creates `count` ports in ONE Neutron bulk request (all or nothing) for `pod.nodeName`,
 *   unnamed-to-the-pod (`kuryr-pool-port`, empty device_id): they are meant for a pool.
 * - `releaseVif` is idempotent: a port already gone is success.
 * - `activateVif` returns the VIF with `active: true` once Neutron reports the port ACTIVE.
 * Errors: ConfigurationError (missing kuryr.conf setting), NotReadyError (port not ACTIVE yet, quota,
 * Neutron busy: requeue), ConflictError (ambiguous state, e.g. two VM ports with the node IP).
 */
export interface PodVifDriver {
  /** The alias this driver was registered under. */
  readonly alias: string;
  requestVif(req: VifRequest, opts?: CallOptions): Promise<Vif>;
  requestVifs(req: VifRequest, count: number, opts?: CallOptions): Promise<Vif[]>;
  releaseVif(vif: Vif, pod?: PodRef, opts?: CallOptions): Promise<void>;
  activateVif(vif: Vif, opts?: CallOptions): Promise<Vif>;
  updateVifSgs(vif: Vif, securityGroups: readonly string[], opts?: CallOptions): Promise<void>;
}

/** Neutron `device_owner` of every port Kuryr creates for pods (kuryr-lib `DEVICE_OWNER`). */
export const DEVICE_OWNER_KURYR = 'compute:kuryr';
/** Name of pre-created pool ports (not yet handed to a pod). */
export const POOL_PORT_NAME = 'kuryr-pool-port';
