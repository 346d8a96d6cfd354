/**
 * @module Shapes shared by the CNI daemon's routes and services: the parsed request, and the narrow
 * Neutron interface the standalone service needs (adapted from NeutronClient in neutron-port-store.ts,
 * faked in unit tests).
 */
import type { CniResult } from '../../models/cni-result.js';
import type { Network, Port, PortCreate, Subnet } from '../../openstack/neutron/types.js';

/** CNI commands the daemon executes. */
export type DaemonCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

/** One attachment named by GC's `cni.dev/valid-attachments`. */
export interface Attachment {
  containerId: string;
  ifName: string;
}

/** A validated request (the Python body shape, decoded). */
export interface CniRequest {
  command: DaemonCommand;
  containerId: string;
  /** Empty on DEL when the runtime no longer has the netns (containerd). */
  netns: string;
  ifName: string;
  /** CNI_ARGS decoded (`IP`, `MAC`, `K8S_POD_NAMESPACE`, …). */
  args: Map<string, string>;
  /** The network config (plugin entry with name, cniVersion, runtimeConfig, prevResult…). */
  config: Record<string, unknown>;
  /** CNI network name (`config.name`). */
  networkName: string;
}

/** What an ADD produced. */
export interface AddOutcome {
  result: CniResult;
  port: Port;
  network: Network;
  subnets: Subnet[];
}

/** The Neutron operations of standalone mode; every call has a deadline inside the client. */
export interface CniPortStore {
  /** A network by id or by name. @throws NotFoundError none; ConflictError more than one by that name */
  resolveNetwork(idOrName: string, signal?: AbortSignal): Promise<Network>;
  /** Subnets by id (cached by the implementation). */
  subnets(ids: readonly string[], signal?: AbortSignal): Promise<Subnet[]>;
  /** Security group ids by id or name (scoped to `projectId` when given). */
  resolveSecurityGroups(
    idsOrNames: readonly string[],
    projectId?: string,
    signal?: AbortSignal,
  ): Promise<string[]>;
  /** Ports carrying every tag in `tags` (optionally bound to `hostId`). */
  findPorts(tags: readonly string[], hostId?: string, signal?: AbortSignal): Promise<Port[]>;
  /** Creates a port and tags it (untagged ports never survive a failure). */
  createPort(body: PortCreate, tags: readonly string[], signal?: AbortSignal): Promise<Port>;
  /**
   * Takes a port over: applies `update` (skipped when empty) and adds `tags`, dropping `removeTags`
   * (one request when `update` is empty).
   */
  claimPort(
    port: Port,
    update: Partial<PortCreate>,
    tags: readonly string[],
    signal?: AbortSignal,
    removeTags?: readonly string[],
  ): Promise<Port>;
  getPort(id: string, signal?: AbortSignal): Promise<Port>;
  /** Deletes; NotFound is success. */
  deletePort(id: string, signal?: AbortSignal): Promise<void>;
  /** Cheap reachability probe for STATUS. */
  ping(signal?: AbortSignal): Promise<void>;
}
