/**
 * @module The pool manager's listener: HTTP/1.1 on a root-only unix socket (`[pool_manager] sock_file`),
 * serving {@link PoolManagerRoutes}. The socket is created with mode 0600 (umask held during bind, so
 * there is no moment it is connectable by others) in a parent directory created 0700 when missing; a
 * stale socket left by a killed controller is replaced, a live one (another controller answers) or a
 * non-socket file at that path is refused. Closing removes the socket file if it is still ours.
 */
import { connect } from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { ConfigurationError, ConflictError } from '../../common/errors/index.js';
import { BodyTooLargeError, readBody } from '../../common/read-body.js';
import type { PoolManagerRoutes, RouteReply } from './routes.js';

/** Largest request body accepted (bytes). */
export const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, reply: RouteReply): void {
  res.writeHead(reply.status, {
    connection: 'close',
    ...(reply.allow ? { allow: reply.allow } : {}),
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

/** True when something accepts connections on `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Owns the unix-socket listener. */
export class PoolManagerServer {
  private server: Server | undefined;
  private path: string | undefined;
  private inode: number | undefined;

  constructor(
    private readonly routes: PoolManagerRoutes,
    private readonly log: Logger,
  ) {}

  /**
   * Listens on `path` (mode 0600).
   * @throws ConflictError when another process serves `path`; ConfigurationError when `path` is not a socket.
   */
  async listen(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const existing = await lstat(path).catch(() => undefined);
    if (existing !== undefined) {
      if (!existing.isSocket()) {
        throw new ConfigurationError(
          `[pool_manager] sock_file ${path} exists and is not a socket; refusing to replace it`,
        );
      }
      if (await answers(path)) {
        throw new ConflictError(`[pool_manager] sock_file ${path} is served by another process`);
      }
      await unlink(path); // stale: left by a controller that was killed
    }
    const server = createServer((req, res) => this.serve(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000; // receiving the request; the operation has its own deadline
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(oldMask);
    }
    await chmod(path, 0o600);
    this.inode = (await lstat(path)).ino;
    this.server = server;
    this.path = path;
    this.log.info({ socket: path }, 'pool manager listening');
  }

  /** Stops listening and removes the socket file (only if it is still the one this server made). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Running operations were aborted before (service.close()); do not wait for a slow client.
      setTimeout(() => server.closeAllConnections(), 5_000).unref();
    });
    const path = this.path as string;
    const now = await lstat(path).catch(() => undefined);
    if (now !== undefined && now.ino === this.inode) await unlink(path).catch(() => undefined);
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://pool-manager').pathname;
    const method = req.method ?? '';
    void readBody(req, MAX_BODY)
      .then((body) => this.routes.handle(method, path, body))
      .then(
        (reply) => send(res, reply),
        (error: unknown) => {
          const tooLarge = error instanceof BodyTooLargeError;
          if (!tooLarge) this.log.warn({ err: error, path }, 'pool manager: unreadable request');
          send(res, {
            status: tooLarge ? 413 : 400,
            body: tooLarge ? error.message : 'could not read the request',
          });
        },
      );
  }
}
