/**
 * @module Starts the plugin: detects Neutron features, builds the host binder from the binding registry and
 * listens on the unix socket or on `kuryr_uri` (TCP/TLS); optionally writes the Docker discovery file.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { NativeNetlink } from '../binding/netlink/native.js';
import { OvsdbClient } from '../binding/ovs/ovsdb-client.js';
import { createBindingRegistry } from '../binding/registry.js';
import { ConfigurationError } from '../common/errors/index.js';
import type { ServiceClient } from '../openstack/http/types.js';
import { createLibnetworkServer } from './create-libnetwork.js';
import { detectNeutronFeatures } from './detect-features.js';
import type { HostBinder } from './host-binder.js';
import { RestLibnetworkNeutron } from './neutron-rest.js';
import type { LibnetworkOptions } from './options.js';
import type { PortPool } from './port-pool.js';
import { RegistryHostBinder } from './registry-host-binder.js';
import type { CallObserver, LibnetworkServer, ListenTarget } from './server.js';

/** Default socket dockerd discovers (PROTOCOLS.md A.1). */
export const DEFAULT_PLUGIN_SOCKET = '/run/docker/plugins/kuryr.sock';

/** How to start. */
export interface StartLibnetworkOptions {
  network: ServiceClient;
  options: Omit<LibnetworkOptions, 'tagMode'>;
  log: Logger;
  /** Unix socket path, or the TCP URL (`http://127.0.0.1:23750`, `https://…` with tls). */
  listen: { socketPath: string } | { uri: string; tls?: { certFile: string; keyFile: string } };
  /** Write a discovery file: `.spec` (one URL line) or `.json` (`{"Name","Addr"}`). */
  specFile?: string;
  specName?: string;
  ovsdbSocket?: string;
  /** Injected host binder (tests); default: binding registry over native netlink. */
  binder?: HostBinder;
  observe?: CallObserver;
  detectAttempts?: number;
  /** `[vif_pool] docker_pool_enabled`: the port pool RequestAddress takes from. */
  portPool?: PortPool;
}

/** A running plugin. */
export interface RunningLibnetwork {
  server: LibnetworkServer;
  options: LibnetworkOptions;
  close(): Promise<void>;
}

function tcpTarget(uri: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigurationError(`[DEFAULT] kuryr_uri "${uri}" is not a URL`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 23750) };
}

/** Starts the plugin. @throws ConfigurationError (missing extension, bad URI, unreadable TLS files) */
export async function startLibnetwork(o: StartLibnetworkOptions): Promise<RunningLibnetwork> {
  const neutron = new RestLibnetworkNeutron(o.network);
  const features = await detectNeutronFeatures(neutron, o.log, { attempts: o.detectAttempts });
  const options: LibnetworkOptions = { ...o.options, tagMode: features.tagMode };
  let netlink: NativeNetlink | undefined;
  let binder = o.binder;
  if (!binder) {
    netlink = new NativeNetlink();
    binder = new RegistryHostBinder(
      createBindingRegistry({
        netlink,
        logger: o.log.child({ svc: 'binding' }),
        ...(o.ovsdbSocket ? { ovsdb: new OvsdbClient(o.ovsdbSocket) } : {}),
      }),
    );
  }
  const server = createLibnetworkServer({
    neutron,
    binder,
    options,
    log: o.log,
    observe: o.observe,
    portPool: o.portPool,
  });
  let target: ListenTarget;
  let addr: string;
  if ('socketPath' in o.listen) {
    target = { socketPath: o.listen.socketPath };
    addr = `unix://${o.listen.socketPath}`;
  } else {
    const { host, port } = tcpTarget(o.listen.uri);
    const tls = o.listen.tls
      ? { cert: await readFile(o.listen.tls.certFile), key: await readFile(o.listen.tls.keyFile) }
      : undefined;
    target = { host, port, ...(tls ? { tls } : {}) };
    addr = o.listen.uri;
  }
  await server.listen(target);
  o.log.info({ addr, host: options.host }, 'kuryr libnetwork plugin listening');
  if (o.specFile) {
    await mkdir(dirname(o.specFile), { recursive: true });
    const text = o.specFile.endsWith('.json')
      ? JSON.stringify({ Name: o.specName ?? 'kuryr', Addr: addr.replace(/^http:/, 'tcp:') }) + '\n'
      : `${addr}\n`;
    await writeFile(o.specFile, text, { mode: 0o644 });
  }
  return {
    server,
    options,
    async close() {
      await server.close();
      netlink?.close?.();
    },
  };
}
