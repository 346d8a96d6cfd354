/**
 * @module Prometheus metrics: a registry factory (never prom-client's global registry, so tests and several
 * components in one process do not collide) and a tiny `/metrics` server on node:http for the daemons.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Also collect process/Node metrics (CPU, memory, event loop). @default false */
  defaultMetrics?: boolean;
  /** Labels added to every metric, e.g. `{ node: 'worker-1' }`. */
  labels?: Record<string, string>;
}

/**
 * Create a fresh registry to inject into components that define metrics.
 *
 * @example const registry = createMetricsRegistry({ defaultMetrics: true });
 *   new Histogram({ name: 'kuryr_cni_request_duration_seconds', help: '…', registers: [registry] });
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** TCP port (`[prometheus_exporter] *_exporter_port`); 0 = any free port. */
  port: number;
  /** Bind address. @default '127.0.0.1' (loopback unless configured, BRIEF security rule) */
  host?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  server: Server;
  /** Actual port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serve `GET /metrics` of `registry`; any other path is 404.
 *
 * @throws the listen error (e.g. EADDRINUSE)
 */
export async function serveMetrics(
  registry: Registry,
  options: ServeMetricsOptions,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
