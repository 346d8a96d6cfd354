/**
 * @module Composition root of the CNI node daemon: builds the OpenStack session, Neutron client, netlink,
 * binding registry, standalone service, routes and listeners from explicit options, and returns a handle
 * that closes them all. The CLI (src/cmd/commands/cni-daemon.ts) maps kuryr.conf to these options; tests
 * call it directly.
 */
import type { Logger } from 'pino';
import { NativeNetlink } from '../../binding/netlink/native.js';
import type { Netlink } from '../../binding/netlink/types.js';
import { createBindingRegistry } from '../../binding/registry.js';
import { OvsdbClient } from '../../binding/ovs/ovsdb-client.js';
import { NeutronClient } from '../../openstack/neutron/index.js';
import { createOpenStackSession } from '../../openstack/session.js';
import type { OpenStackConnectionOptions } from '../../openstack/session-options.js';
import { encodeVif } from '../../models/vif-ovo.js';
import { CniMetrics } from './metrics.js';
import { NeutronPortStore } from './neutron-port-store.js';
import { KubernetesCniService, type KuryrPortSource } from './kubernetes-service.js';
import { CniRoutes } from './routes.js';
import { CniDaemonServer } from './server.js';
import { StandaloneCniService } from './standalone-service.js';

/** Default unix socket of the daemon (the shim's default too). */
export const DEFAULT_CNI_SOCKET = '/run/kuryr/cni.sock';

/** Everything the daemon needs. */
export interface CniDaemonOptions {
  connection: OpenStackConnectionOptions;
  /** `binding:host_id` of this node. */
  host: string;
  log: Logger;
  /** Unix socket for kuryr-cni; undefined = none. */
  socketPath?: string;
  /** Python-compatible TCP endpoint (`[cni_daemon] bind_address`); undefined = none. */
  tcp?: { host: string; port: number };
  /** `/alive`, `/ready`, `/metrics` listener; undefined = none. */
  ops?: { host: string; port: number };
  /** Integration bridge for ovs ports. */
  ovsBridge?: string;
  /** ovsdb-server socket, needed only for ports Neutron binds with vif_type ovs. */
  ovsdbSocket?: string;
  /** Netlink implementation (tests may pass their own). */
  netlink?: Netlink;
  /** Kubernetes mode: where KuryrPorts are read; undefined = pods are refused. */
  kuryrPorts?: KuryrPortSource;
  /** `[cni_daemon] vif_annotation_timeout` in ms. @default 60000 */
  vifTimeoutMs?: number;
}

/** A running daemon. */
export interface RunningCniDaemon {
  server: CniDaemonServer;
  service: StandaloneCniService;
  metrics: CniMetrics;
  close(): Promise<void>;
}

/** Builds and starts the daemon; listeners are bound when the promise resolves. */
export async function startCniDaemon(opts: CniDaemonOptions): Promise<RunningCniDaemon> {
  const log = opts.log;
  const session = createOpenStackSession(opts.connection, log);
  const neutron = new NeutronClient(session.client('network'));
  const netlink = opts.netlink ?? new NativeNetlink();
  const bindings = createBindingRegistry({
    netlink,
    logger: log,
    ...(opts.ovsBridge ? { integrationBridge: opts.ovsBridge } : {}),
    ...(opts.ovsdbSocket ? { ovsdb: new OvsdbClient(opts.ovsdbSocket) } : {}),
  });
  const service = new StandaloneCniService({
    store: new NeutronPortStore(neutron),
    bindings,
    host: opts.host,
    log,
  });
  const metrics = new CniMetrics({ defaultMetrics: true });
  const routes = new CniRoutes({
    standalone: service,
    ...(opts.kuryrPorts
      ? {
          kubernetes: new KubernetesCniService({
            source: opts.kuryrPorts,
            bindings,
            log,
            ...(opts.vifTimeoutMs ? { vifTimeoutMs: opts.vifTimeoutMs } : {}),
          }),
        }
      : {}),
    encodeVif,
    metrics,
    log,
  });
  const server = new CniDaemonServer(routes, metrics, () => service.status(), log);
  try {
    if (opts.socketPath) await server.listenUnix(opts.socketPath);
    if (opts.tcp) await server.listenTcp(opts.tcp.host, opts.tcp.port);
    if (opts.ops) await server.listenOps(opts.ops.host, opts.ops.port);
  } catch (err) {
    await server.close();
    await session.close();
    throw err;
  }
  return {
    server,
    service,
    metrics,
    async close() {
      await server.close();
      await opts.kuryrPorts?.close?.();
      await session.close();
      if (!opts.netlink) netlink.close();
    },
  };
}
