/**
 * @module Controller health endpoint on `[health_server] port` (default 8082): `GET /ready` and
 * `GET /alive` (200 `ok` or 503 with the reason), plus `GET /metrics` when a registry is given (so one
 * port can serve both when `[prometheus_exporter] controller_exporter_port` equals it).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A probe: undefined = healthy, string = why not. */
export type Probe = () => string | undefined;

/** Options of {@link serveHealth}. */
export interface HealthServerOptions {
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  ready: Probe;
  alive: Probe;
  registry?: Registry;
}

/** A running health server. */
export interface HealthServer {
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Start the health server. @throws the listen error (EADDRINUSE…) */
export async function serveHealth(o: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (probe: Probe) => {
      const why = probe();
      res
        .writeHead(why === undefined ? 200 : 503, { 'content-type': 'text/plain' })
        .end(why === undefined ? 'ok\n' : `${why}\n`);
    };
    if (req.method === 'GET' && path === '/ready') return reply(o.ready);
    if (req.method === 'GET' && path === '/alive') return reply(o.alive);
    if (req.method === 'GET' && path === '/metrics' && o.registry) {
      const registry = o.registry;
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(`${String(err)}\n`),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
