/**
 * @module Kubernetes mode of the CNI daemon (pods: CNI_ARGS with K8S_POD_NAMESPACE). The controller owns
 * the Neutron port and writes its VIF into the pod's KuryrPort `status.vifs`; ADD waits (bounded) for that
 * VIF with the pod's UID, binds it into CNI_NETNS with L3 and waits for it to be active; DEL unbinds and
 * leaves the port to the controller. KuryrPorts are read through {@link KuryrPortSource} (polling with a
 * deadline; the source may be backed by a watch cache).
 */
import type { Logger } from 'pino';
import { TimeoutError } from '../../common/errors/index.js';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import type { BindTarget, BindingPort, BindingRegistry } from '../../binding/types.js';
import { decodeVif, type DecodedVif } from '../../models/vif-ovo.js';
import type { Network, Port, Subnet } from '../../openstack/neutron/types.js';
import { CniCodedError } from '../cni-errors.js';
import { cniResultFor, containerL3 } from './l3.js';
import type { KubernetesCni } from './routes.js';
import { GONE_NETNS } from './standalone-service.js';
import type { AddOutcome, CniRequest } from './types.js';

/** What the daemon reads from a KuryrPort. */
export interface KuryrPortView {
  podUid: string;
  /** ifname → VIF primitive (status.vifs[*].vif); empty until the controller wrote it. */
  vifs: Record<string, unknown>;
}

/** Reads KuryrPort `<namespace>/<name>`; undefined when it does not exist. */
export interface KuryrPortSource {
  get(namespace: string, name: string, signal?: AbortSignal): Promise<KuryrPortView | undefined>;
  /** Stops background work (a watch), if any. */
  close?(): Promise<void>;
}

/** Collaborators and limits. */
export interface KubernetesCniDeps {
  source: KuryrPortSource;
  bindings: BindingRegistry;
  log: Logger;
  /** `[cni_daemon] vif_annotation_timeout` in ms. @default 60000 */
  vifTimeoutMs?: number;
  /** Bound on waiting for the VIF to become active after plugging. @default 60000 */
  activeTimeoutMs?: number;
  pollMs?: number;
}

/** A decoded VIF as a binding port plus synthetic Neutron network/subnets for L3 and the result. */
export function vifToBinding(vif: DecodedVif): { port: Port; network: Network; subnets: Subnet[] } {
  const subnets = vif.network.subnets.map(
    (s, i) =>
      ({
        id: `vif-subnet-${i}`,
        cidr: s.cidr,
        gateway_ip: s.gateway ?? null,
        ip_version: s.cidr.includes(':') ? 6 : 4,
        dns_nameservers: s.dns,
        host_routes: s.routes.map((r) => ({ destination: r.cidr, nexthop: r.gateway })),
      }) as unknown as Subnet,
  );
  const port: BindingPort = {
    id: vif.portId,
    network_id: vif.network.id,
    mac_address: vif.mac,
    fixed_ips: vif.network.subnets.flatMap((s, i) =>
      s.ips.map((ip) => ({ subnet_id: `vif-subnet-${i}`, ip_address: ip })),
    ),
    'binding:vif_type': vif.vifType,
    'binding:vif_details': {
      ...(vif.hybrid ? { ovs_hybrid_plug: true } : {}),
      ...(vif.vifType === 'ovs' && !vif.hybrid && vif.bridgeName
        ? { bridge_name: vif.bridgeName }
        : {}),
    },
    status: vif.active ? 'ACTIVE' : 'DOWN',
  };
  const network = {
    id: vif.network.id,
    subnets: subnets.map((s) => s.id),
    ...(vif.network.mtu ? { mtu: vif.network.mtu } : {}),
  };
  return { port: port as Port, network: network as Network, subnets };
}

/** {@link KubernetesCni} over KuryrPorts. */
export class KubernetesCniService implements KubernetesCni {
  private readonly locks = new KeyedMutex();
  /** Sandbox (CNI_CONTAINERID) that last ADDed each pod: a DEL from an older sandbox is stale. */
  private readonly sandboxes = new Map<string, string>();

  constructor(private readonly deps: KubernetesCniDeps) {}

  private pod(req: CniRequest): { ns: string; name: string; uid?: string } {
    const ns = req.args.get('K8S_POD_NAMESPACE');
    const name = req.args.get('K8S_POD_NAME');
    if (!ns || !name)
      throw new CniCodedError(4, 400, 'K8S_POD_NAMESPACE and K8S_POD_NAME are required for pods');
    const uid = req.args.get('K8S_POD_UID');
    return { ns, name, ...(uid ? { uid } : {}) };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Polls the KuryrPort until `ready(view)` or the deadline. */
  private async waitFor(
    pod: { ns: string; name: string; uid?: string },
    timeoutMs: number,
    ready: (v: KuryrPortView) => boolean,
    signal?: AbortSignal,
  ): Promise<KuryrPortView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const kp = await this.deps.source.get(pod.ns, pod.name, signal);
      if (kp && pod.uid && kp.podUid !== pod.uid) {
        throw new CniCodedError(
          3,
          410,
          `KuryrPort ${pod.ns}/${pod.name} belongs to pod UID ${kp.podUid}, not ${pod.uid}`,
        );
      }
      if (kp && ready(kp)) return kp;
      if (Date.now() >= deadline) {
        throw new TimeoutError(
          `timed out waiting for the VIF of pod ${pod.ns}/${pod.name} in its KuryrPort; try again later`,
        );
      }
      signal?.throwIfAborted();
      await this.sleep(this.deps.pollMs ?? 500);
    }
  }

  private vifOf(kp: KuryrPortView, ifName: string): unknown {
    // The controller names the pod's main interface eth0; the runtime's CNI_IFNAME may differ.
    return kp.vifs[ifName] ?? kp.vifs.eth0;
  }

  private target(req: CniRequest, b: ReturnType<typeof vifToBinding>): BindTarget {
    return {
      port: b.port,
      ...(b.network.mtu ? { mtu: b.network.mtu } : {}),
      netns: req.netns === '' ? GONE_NETNS : req.netns,
      ifName: req.ifName,
      ip: containerL3({ port: b.port, subnets: b.subnets, ifName: req.ifName }),
    };
  }

  add(req: CniRequest, signal?: AbortSignal): Promise<AddOutcome> {
    return this.locks.run(req.containerId, async () => {
      const pod = this.pod(req);
      const kp = await this.waitFor(
        pod,
        this.deps.vifTimeoutMs ?? 60_000,
        (v) => this.vifOf(v, req.ifName) !== undefined,
        signal,
      );
      const vif = decodeVif(this.vifOf(kp, req.ifName));
      const b = vifToBinding(vif);
      const target = this.target(req, b);
      const driver = this.deps.bindings.driverFor(b.port);
      const bound = await driver.bind(target, signal);
      try {
        if (!vif.active) {
          await this.waitFor(
            pod,
            this.deps.activeTimeoutMs ?? 60_000,
            (v) => {
              const p = this.vifOf(v, req.ifName);
              return p !== undefined && decodeVif(p).active;
            },
            signal,
          );
        }
      } catch (err) {
        await driver.unbind(target).catch(() => undefined);
        throw err;
      }
      const result = cniResultFor({
        port: b.port,
        subnets: b.subnets,
        ifName: req.ifName,
        netns: req.netns,
        mtu: b.network.mtu,
        hostIfName: bound.hostIfName,
      });
      this.sandboxes.set(`${pod.ns}/${pod.name}`, req.containerId);
      this.deps.log.info({ pod: `${pod.ns}/${pod.name}`, port: vif.portId }, 'CNI ADD (pod) done');
      return { result, port: b.port, network: b.network, subnets: b.subnets };
    });
  }

  del(req: CniRequest, signal?: AbortSignal): Promise<void> {
    return this.locks.run(req.containerId, async () => {
      const pod = this.pod(req);
      const key = `${pod.ns}/${pod.name}`;
      const current = this.sandboxes.get(key);
      if (current !== undefined && current !== req.containerId) {
        // COMPATIBILITY §8: a DEL for an older sandbox of a re-created pod must not unplug the new one.
        this.deps.log.info({ pod: key, containerId: req.containerId }, 'stale CNI DEL ignored');
        return;
      }
      this.sandboxes.delete(key);
      const kp = await this.deps.source.get(pod.ns, pod.name, signal);
      // KuryrPort gone or another pod's: nothing of ours to undo (the netns dies with the sandbox).
      if (!kp || (pod.uid && kp.podUid !== pod.uid)) return;
      const raw = this.vifOf(kp, req.ifName);
      if (raw === undefined) return;
      const b = vifToBinding(decodeVif(raw));
      await this.deps.bindings.driverFor(b.port).unbind(this.target(req, b), signal);
    });
  }
}
