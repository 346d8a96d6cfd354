/**
 * @module Reads an HTTP request body with a size limit, for the small local servers (CNI daemon, pool
 * manager): a client cannot make them buffer without bound. On overflow the request is paused (not
 * destroyed), so the server can still answer 413/400 before closing the connection.
 */
import type { IncomingMessage } from 'node:http';

/** The body exceeded the limit; the request is paused and should be answered and closed. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The whole body as UTF-8. @throws BodyTooLargeError past `limitBytes`; the request's own errors. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limitBytes) {
        over = true;
        reject(new BodyTooLargeError(limitBytes));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
