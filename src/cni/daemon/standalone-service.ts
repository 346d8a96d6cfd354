/**
 * @module Standalone CNI mode (podman, containerd, any CNI runtime without Kubernetes): the daemon owns
 * the Neutron port of each attachment. ADD creates (or re-finds) a port tagged with the attachment's
 * identity, bound to this host, plugs it into CNI_NETNS with L3 and returns the result; DEL is best effort
 * and idempotent; CHECK compares netns and Neutron with prevResult; GC removes ports of attachments the
 * runtime no longer knows; STATUS probes Neutron.
 */
import type { Logger } from 'pino';
import { ignoreNotFound, isNotFoundError, TimeoutError } from '../../common/errors/index.js';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import type { BindTarget, BindingRegistry } from '../../binding/types.js';
import { parseCniResult } from '../../models/cni-result.js';
import type { Network, Port, Subnet } from '../../openstack/neutron/types.js';
import { CniCodedError } from '../cni-errors.js';
import { attachmentFromTags, attachmentKey, attachmentTags, networkTag } from './identity.js';
import { cniResultFor, containerL3, prevResultProblems } from './l3.js';
import { ResultCache } from './result-cache.js';
import { acquirePort } from './acquire-port.js';
import { PortPool } from './port-pool.js';
import { standaloneSpec, type StandaloneSpec } from './standalone-config.js';
import type { AddOutcome, Attachment, CniPortStore, CniRequest } from './types.js';

/**
 * Netns passed to `unbind` when the runtime no longer has one (containerd DEL): a path that cannot exist, so
 * the driver's "missing netns is success" rule skips the container side and only the host side is removed.
 * (An undefined netns would mean the daemon's own netns.)
 */
export const GONE_NETNS = '/nonexistent/kuryr-cni-netns-gone';

/** Collaborators of the standalone service. */
export interface StandaloneDeps {
  store: CniPortStore;
  bindings: BindingRegistry;
  /** `binding:host_id` of this node (`[DEFAULT] host`). */
  host: string;
  log: Logger;
  cache?: ResultCache;
  /** Bound on waiting for ACTIVE when the config asks for it. @default 60000 */
  activeTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The standalone CNI operations, serialised per container id. */
export class StandaloneCniService {
  private readonly locks = new KeyedMutex();
  private readonly cache: ResultCache;
  private readonly pool: PortPool;

  constructor(private readonly deps: StandaloneDeps) {
    this.cache = deps.cache ?? new ResultCache();
    this.pool = new PortPool(deps.store, deps.host, deps.log);
  }

  private attachment(req: CniRequest): Attachment {
    return { containerId: req.containerId, ifName: req.ifName };
  }

  private async findPort(req: CniRequest, signal?: AbortSignal): Promise<Port | undefined> {
    const ports = await this.deps.store.findPorts(
      attachmentTags(req.networkName, this.attachment(req)),
      undefined,
      signal,
    );
    if (ports.length > 1) {
      // Two ports for one attachment can only come from a crash between create and tag on an old
      // release; keep the oldest, the extra ones are garbage.
      this.deps.log.warn({ ports: ports.map((p) => p.id) }, 'several ports for one CNI attachment');
    }
    return ports[0];
  }

  private async resolveSubnets(
    spec: StandaloneSpec,
    network: Network,
    signal?: AbortSignal,
  ): Promise<Subnet[]> {
    const all = await this.deps.store.subnets(network.subnets, signal);
    if (spec.subnets.length === 0) return all;
    return spec.subnets.map((want) => {
      const hit = all.filter((s) => s.id === want || s.name === want);
      if (hit.length !== 1) {
        throw new CniCodedError(
          7,
          400,
          `invalid network config: subnet "${want}" ${hit.length ? 'is ambiguous' : 'is not on network ' + network.id}`,
        );
      }
      return hit[0]!;
    });
  }

  private async resolveNetwork(spec: StandaloneSpec, signal?: AbortSignal): Promise<Network> {
    try {
      return await this.deps.store.resolveNetwork(spec.network, signal);
    } catch (err) {
      if (isNotFoundError(err)) {
        throw new CniCodedError(
          7,
          400,
          `invalid network config: Neutron network "${spec.network}" not found`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  private target(
    req: CniRequest,
    port: Port,
    network: Network | undefined,
    subnets: Subnet[],
  ): BindTarget {
    return {
      port,
      ...(network?.mtu ? { mtu: network.mtu } : {}),
      netns: req.netns === '' ? GONE_NETNS : req.netns,
      ifName: req.ifName,
      ip: containerL3({ port, subnets, ifName: req.ifName }),
    };
  }

  private async waitActive(portId: string, signal?: AbortSignal): Promise<Port> {
    const deadline = Date.now() + (this.deps.activeTimeoutMs ?? 60_000);
    const sleep = this.deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    for (;;) {
      const port = await this.deps.store.getPort(portId, signal);
      if (port.status === 'ACTIVE') return port;
      if (Date.now() > deadline)
        throw new TimeoutError(
          `port ${portId} not ACTIVE (status ${port.status}); try again later`,
        );
      await sleep(250);
    }
  }

  /** ADD: port (created or re-found) bound into the netns; rolls back what this call created on failure. */
  add(req: CniRequest, signal?: AbortSignal): Promise<AddOutcome> {
    return this.locks.run(req.containerId, async () => {
      const spec = standaloneSpec(req);
      const network = await this.resolveNetwork(spec, signal);
      const chosen = await this.resolveSubnets(spec, network, signal);
      const sgs = spec.securityGroups.length
        ? await this.deps.store.resolveSecurityGroups(spec.securityGroups, spec.project, signal)
        : [];
      const tags = attachmentTags(req.networkName, this.attachment(req));
      const acquired = await acquirePort(
        { store: this.deps.store, pool: this.pool, host: this.deps.host },
        { req, spec, network, subnets: chosen, securityGroups: sgs, tags },
        signal,
      );
      let port = acquired.port;
      const created = acquired.created;
      const subnets = await this.deps.store.subnets(network.subnets, signal);
      const target = this.target(req, port, network, subnets);
      let hostIfName: string | undefined;
      try {
        const bound = await this.deps.bindings.driverFor(port).bind(target, signal);
        hostIfName = bound.hostIfName;
        if (spec.waitActive) port = await this.waitActive(port.id, signal);
      } catch (err) {
        await this.rollback(target, port, created);
        throw err;
      }
      const result = cniResultFor({
        port,
        subnets,
        ifName: req.ifName,
        netns: req.netns,
        mtu: network.mtu,
        hostIfName,
      });
      this.cache.set(attachmentKey(this.attachment(req)), {
        portId: port.id,
        netns: req.netns,
        result,
      });
      this.deps.log.info(
        { containerId: req.containerId, ifName: req.ifName, port: port.id },
        'CNI ADD done',
      );
      return { result, port, network, subnets };
    });
  }

  private async rollback(target: BindTarget, port: Port, created: boolean): Promise<void> {
    try {
      await this.deps.bindings.driverFor(port).unbind(target);
    } catch (err) {
      this.deps.log.warn({ err, port: port.id }, 'rollback: unbind failed');
    }
    if (created) {
      await ignoreNotFound(() => this.deps.store.deletePort(port.id)).catch((err: unknown) =>
        this.deps.log.warn(
          { err, port: port.id },
          'rollback: port delete failed; GC will collect it',
        ),
      );
    }
  }

  /** DEL: unbind and delete the port; success when netns, link or port are already gone. */
  del(req: CniRequest, signal?: AbortSignal): Promise<void> {
    return this.locks.run(req.containerId, async () => {
      const key = attachmentKey(this.attachment(req));
      // Every port of the attachment: a retried ADD on the pool path may have made a second one.
      const ports = await this.deps.store.findPorts(
        attachmentTags(req.networkName, this.attachment(req)),
        undefined,
        signal,
      );
      for (const port of ports) await this.unbindAndDelete(req, port, signal);
      this.cache.delete(key);
    });
  }

  private async unbindAndDelete(req: CniRequest, port: Port, signal?: AbortSignal): Promise<void> {
    try {
      await this.deps.bindings
        .driverFor(port)
        .unbind(this.target(req, port, undefined, []), signal);
    } catch (err) {
      // An unbound/failed port has no driver; the netns side dies with the sandbox anyway.
      if (!isNotFoundError(err))
        this.deps.log.warn({ err, port: port.id }, 'unbind failed; deleting the port anyway');
    }
    await this.deps.store.deletePort(port.id, signal);
  }

  /** CHECK: the port exists, its addresses match prevResult, and the interface/L3 in the netns match. */
  check(req: CniRequest, signal?: AbortSignal): Promise<void> {
    return this.locks.run(req.containerId, async () => {
      const port = await this.findPort(req, signal);
      if (port === undefined) {
        throw new CniCodedError(100, 500, `no Neutron port for ${req.containerId}/${req.ifName}`);
      }
      const network = await this.deps.store.resolveNetwork(port.network_id, signal);
      const subnets = await this.deps.store.subnets(network.subnets, signal);
      const problems: string[] = [];
      problems.push(
        ...prevResultProblems(parseCniResult(req.config.prevResult), port, subnets, req.ifName),
      );
      const report = await this.deps.bindings
        .driverFor(port)
        .check(this.target(req, port, network, subnets));
      problems.push(...report.problems);
      if (problems.length > 0) {
        throw new CniCodedError(100, 500, 'attachment does not match', { details: { problems } });
      }
    });
  }

  /** GC: deletes this host's ports of network `req.networkName` whose attachment is not in `valid`. */
  async gc(req: CniRequest, valid: readonly Attachment[], signal?: AbortSignal): Promise<string[]> {
    const keep = new Set(valid.map(attachmentKey));
    const ports = await this.deps.store.findPorts(
      [networkTag(req.networkName)],
      this.deps.host,
      signal,
    );
    const removed: string[] = [];
    const failures: string[] = [];
    for (const port of ports) {
      const a = attachmentFromTags(port.tags ?? []);
      if (a === undefined || keep.has(attachmentKey(a))) continue;
      try {
        await this.locks.run(a.containerId, () =>
          this.unbindAndDelete(
            { ...req, containerId: a.containerId, ifName: a.ifName, netns: '' },
            port,
            signal,
          ),
        );
        this.cache.delete(attachmentKey(a));
        removed.push(port.id);
      } catch (err) {
        failures.push(`${port.id}: ${(err as Error).message}`);
      }
    }
    this.deps.log.info({ network: req.networkName, removed }, 'CNI GC done');
    if (failures.length > 0) {
      throw new CniCodedError(999, 500, `GC could not delete ${failures.length} port(s)`, {
        details: { failures },
      });
    }
    return removed;
  }

  /** STATUS: ready when Neutron answers. */
  async status(signal?: AbortSignal): Promise<void> {
    try {
      await this.deps.store.ping(signal);
    } catch (err) {
      throw new CniCodedError(50, 503, 'Neutron is not reachable', { cause: err });
    }
  }
}
