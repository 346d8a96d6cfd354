/**
 * @module The Docker plugin HTTP server (node:http) on a unix socket (0600) or TCP/TLS: reads the body (no
 * Content-Type needed, empty ⇒ `{}` — PROTOCOLS.md A.7 #1), validates it (400 on failure, no Neutron call),
 * runs the service under the call's keyed lock and answers 200 + JSON or non-200 + `{"Err"}`.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { ValidationError } from '../common/errors/index.js';
import { errorReply } from './docker-errors.js';
import type { Route } from './routes.js';

const CONTENT_TYPE = 'application/vnd.docker.plugins.v1.2+json';
const MAX_BODY = 1 << 20;

/** Where to listen: a unix socket path, or host/port (TLS when cert and key are given). */
export type ListenTarget =
  { socketPath: string } | { host: string; port: number; tls?: { cert: Buffer; key: Buffer } };

/** Per-call timing hook (bench, metrics). */
export type CallObserver = (call: string, ms: number, status: number) => void;

/** The plugin server. */
export class LibnetworkServer {
  private server: Server | undefined;
  private readonly locks = new KeyedMutex();

  constructor(
    private readonly routes: Map<string, Route>,
    private readonly log: Logger,
    private readonly observe?: CallObserver,
  ) {}

  /** Handles one request; exposed for in-process tests. */
  async dispatch(
    path: string,
    raw: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const route = this.routes.get(path);
    if (!route) return { status: 404, body: { Err: `unknown call ${path}` } };
    try {
      let json: unknown = {};
      if (raw.trim() !== '') {
        try {
          json = JSON.parse(raw);
        } catch {
          throw new ValidationError(`${path.slice(1)}: request body is not valid JSON`);
        }
      }
      const parsed = route.schema.safeParse(json ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
          .join('; ');
        throw new ValidationError(`${path.slice(1)}: invalid request: ${issues}`);
      }
      const req = parsed.data as never;
      const run = () => route.handle(req);
      const out = route.key ? await this.locks.run(route.key(req), run) : await run();
      return { status: 200, body: out ?? {} };
    } catch (error) {
      return errorReply(error, route.ipam, this.log, path.slice(1));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      void this.dispatch(path, Buffer.concat(chunks).toString('utf8')).then(({ status, body }) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'Content-Type': CONTENT_TYPE,
          'Content-Length': Buffer.byteLength(text),
        });
        res.end(text);
        const ms = performance.now() - started;
        this.log.debug({ call: path, status, ms: Math.round(ms * 10) / 10 }, 'plugin call');
        this.observe?.(path, ms, status);
      });
    });
  }

  /** Starts listening; a unix socket is created mode 0600 (root-only), replacing a stale one. */
  async listen(target: ListenTarget): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    if ('socketPath' in target) {
      await mkdir(dirname(target.socketPath), { recursive: true });
      await rm(target.socketPath, { force: true });
      this.server = createServer(handler);
      const old = process.umask(0o177);
      try {
        await new Promise<void>((resolve, reject) => {
          this.server?.once('error', reject);
          this.server?.listen(target.socketPath, resolve);
        });
      } finally {
        process.umask(old);
      }
      await chmod(target.socketPath, 0o600);
    } else {
      this.server = target.tls
        ? createTlsServer({ cert: target.tls.cert, key: target.tls.key }, handler)
        : createServer(handler);
      await new Promise<void>((resolve, reject) => {
        this.server?.once('error', reject);
        this.server?.listen(target.port, target.host, resolve);
      });
    }
    this.server.keepAliveTimeout = 60_000;
  }

  /** Address actually bound (TCP port 0 ⇒ the chosen port). */
  address(): ReturnType<Server['address']> | undefined {
    return this.server?.address();
  }

  /** Stops accepting calls and waits for in-flight ones. */
  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeIdleConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
