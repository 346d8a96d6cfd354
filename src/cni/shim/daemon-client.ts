/**
 * @module POSTs one CNI request to the node daemon over its unix socket (or TCP) and maps the reply to a
 * result or a {@link CniShimError} with a spec code (COMPATIBILITY.md §9 #10: never the HTTP status).
 */
import { request } from 'node:http';
import { CniCode, CniShimError } from './cni-error.js';
import type { DaemonEndpoint } from './net-config.js';

/** The daemon's reply: HTTP status and decoded JSON body (undefined when empty). */
export interface DaemonReply {
  status: number;
  body: unknown;
}

/** Codes the daemon may hand through; anything else is replaced by the status table. */
const PASS_THROUGH = new Set([1, 2, 3, 4, 5, 6, 7, 11, 50, 51, 999]);

/** Translates a non-2xx reply to a CNI error (daemon body first, then a fixed status table). */
export function replyToError(reply: DaemonReply): CniShimError {
  const b = (typeof reply.body === 'object' && reply.body !== null ? reply.body : {}) as Record<
    string,
    unknown
  >;
  const msg = typeof b.msg === 'string' ? b.msg : `kuryr-daemon answered HTTP ${reply.status}`;
  const details = typeof b.details === 'string' ? b.details : '';
  const code =
    typeof b.code === 'number' && (PASS_THROUGH.has(b.code) || b.code >= 100) ? b.code : undefined;
  if (code !== undefined) return new CniShimError(code, msg, details);
  const s = reply.status;
  const byStatus =
    s === 404 || s === 410
      ? CniCode.UNKNOWN_CONTAINER
      : s >= 400 && s < 500
        ? CniCode.INVALID_ENV
        : s === 503 || s === 504
          ? CniCode.TRY_AGAIN_LATER
          : CniCode.INTERNAL;
  return new CniShimError(byStatus, msg, details);
}

/** POSTs `body` as JSON to `path`; rejects with code 11 when the daemon cannot be reached or times out. */
export function postToDaemon(
  ep: DaemonEndpoint,
  path: string,
  body: unknown,
): Promise<DaemonReply> {
  const payload = Buffer.from(JSON.stringify(body));
  const where = ep.socketPath ?? `${ep.tcp?.host}:${ep.tcp?.port}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'POST',
        path,
        ...(ep.socketPath
          ? { socketPath: ep.socketPath }
          : { host: ep.tcp?.host, port: ep.tcp?.port }),
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          connection: 'close',
        },
        timeout: ep.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = {
              msg: 'kuryr-daemon sent a reply that is not JSON',
              details: text.slice(0, 200),
            };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', (err) => reject(unreachable(where, err)));
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no reply within ${ep.timeoutMs} ms`));
    });
    req.on('error', (err) => reject(unreachable(where, err)));
    req.end(payload);
  });
}

function unreachable(where: string, err: Error): CniShimError {
  return new CniShimError(
    CniCode.TRY_AGAIN_LATER,
    'kuryr-daemon not reachable',
    `${err.message} (${where}); try again later`,
  );
}
