/**
 * @module The CNI daemon's listeners (node:http): a root-only unix socket (0600) for kuryr-cni and the
 * Python-compatible TCP `[cni_daemon] bind_address`, both serving {@link CniRoutes}; plus the ops listener
 * (`/alive`, `/ready`, `/metrics`). Replies carry `Connection: close` like the original.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { readBody } from '../../common/read-body.js';
import type { CniMetrics } from './metrics.js';
import type { CniRoutes } from './routes.js';

const MAX_BODY = 1 << 20;

/** The JSON request body: `{}` when empty, undefined when it is no JSON (the routes answer that). */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req, MAX_BODY);
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  type = 'application/json',
): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    connection: 'close',
    ...(text === '' ? {} : { 'content-type': type, 'content-length': Buffer.byteLength(text) }),
  });
  res.end(text);
}

/** Readiness probe used by `/ready`. */
export type ReadyProbe = () => Promise<void>;

/** Owns every listener of the daemon. */
export class CniDaemonServer {
  private readonly servers: Server[] = [];

  constructor(
    private readonly routes: CniRoutes,
    private readonly metrics: CniMetrics,
    private readonly ready: ReadyProbe,
    private readonly log: Logger,
  ) {}

  private api(): Server {
    return createServer((req, res) => {
      if (req.method !== 'POST') {
        send(res, 405, { code: 4, msg: 'only POST is served here', details: '' });
        return;
      }
      const abort = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      readJsonBody(req)
        .then((body) =>
          this.routes.handle(new URL(req.url ?? '/', 'http://x').pathname, body, abort.signal),
        )
        .then((reply) => send(res, reply.status, reply.body))
        .catch((err: unknown) => {
          this.log.error({ err }, 'CNI daemon request failed before routing');
          send(res, 400, {
            code: 6,
            msg: 'could not read the request',
            details: (err as Error).message,
          });
        });
    });
  }

  private ops(): Server {
    return createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/alive') return send(res, 200, 'ok', 'text/plain');
      if (path === '/ready') {
        this.ready().then(
          () => send(res, 200, 'ok', 'text/plain'),
          (err: unknown) => send(res, 503, `not ready: ${(err as Error).message}`, 'text/plain'),
        );
        return;
      }
      if (path === '/metrics') {
        this.metrics.render().then(
          (m) => send(res, 200, m.text, m.contentType),
          (err: unknown) => send(res, 500, String(err), 'text/plain'),
        );
        return;
      }
      send(res, 404, 'not found', 'text/plain');
    });
  }

  private listen(server: Server, arg: string | { host: string; port: number }): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const done = () => {
        server.off('error', reject);
        this.servers.push(server);
        resolve();
      };
      if (typeof arg === 'string') server.listen(arg, done);
      else server.listen(arg.port, arg.host, done);
    });
  }

  /** The root-only unix socket for kuryr-cni (stale socket replaced, mode 0600). */
  async listenUnix(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await rm(path, { force: true });
    const server = this.api();
    const oldMask = process.umask(0o177); // no window in which the socket is world-connectable
    try {
      await this.listen(server, path);
    } finally {
      process.umask(oldMask);
    }
    await chmod(path, 0o600);
    this.log.info({ socket: path }, 'CNI daemon listening');
  }

  /** The Python-compatible TCP endpoint (`[cni_daemon] bind_address`). */
  async listenTcp(host: string, port: number): Promise<void> {
    await this.listen(this.api(), { host, port });
    this.log.info({ host, port }, 'CNI daemon listening (TCP)');
  }

  /** `/alive`, `/ready`, `/metrics` on `host:port`. */
  async listenOps(host: string, port: number): Promise<void> {
    await this.listen(this.ops(), { host, port });
  }

  /** Bound TCP port of the n-th listener (tests use port 0). */
  tcpPort(index: number): number {
    const a = this.servers[index]?.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))),
    );
  }
}
