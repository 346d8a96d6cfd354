/**
 * @module Client of the pool manager socket (`kuryr pools`, tests): one HTTP request over the unix
 * socket with a deadline, the reply's status and text body.
 */
import { request } from 'node:http';
import { NotReadyError, TimeoutError } from '../../common/errors/index.js';

/** A reply of the pool manager. */
export interface PoolManagerReply {
  status: number;
  body: string;
}

/** Options of {@link callPoolManager}. */
export interface CallPoolManagerOptions {
  /** JSON body (sent with GET too, as the original protocol does for `/showPool`). */
  body?: unknown;
  /** Deadline of the whole exchange (ms). @default 330000 (the server's operation deadline + 30 s) */
  timeoutMs?: number;
}

/**
 * Sends `method path` to the pool manager at `socketPath`.
 * @throws NotReadyError when nothing listens there (or access is denied); TimeoutError on the deadline.
 */
export function callPoolManager(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  o: CallPoolManagerOptions = {},
): Promise<PoolManagerReply> {
  const payload = o.body === undefined ? '' : JSON.stringify(o.body);
  const ms = o.timeoutMs ?? 330_000;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new TimeoutError(`no reply from the pool manager at ${socketPath} in ${ms} ms`));
    }, ms);
    function fail(error: Error): void {
      clearTimeout(timer);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED') {
        reject(
          new NotReadyError(
            `no pool manager at ${socketPath}: is kuryr controller running with [kubernetes] enable_manager = True?`,
            { cause: error },
          ),
        );
      } else if (code === 'EACCES') {
        reject(
          new NotReadyError(`permission denied on ${socketPath} (root only)`, { cause: error }),
        );
      } else reject(error);
    }
    req.on('error', fail);
    req.end(payload);
  });
}
