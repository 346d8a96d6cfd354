/**
 * @module Minimal JSON-RPC 1.0 client for OVSDB (RFC 7047) over a unix socket. OVSDB frames are bare
 * concatenated JSON values, so a small brace scanner splits the stream. One connection per client,
 * opened lazily, answers the server's `echo` keep-alives, and fails pending calls on close.
 */
import { createConnection, type Socket } from 'node:net';
import { NotReadyError, TimeoutError } from '../../common/errors/index.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Splits a byte stream of concatenated JSON objects/arrays into complete values. */
export class JsonStreamSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escape = false;
  private scanned = 0;

  /** Feeds a chunk; returns the complete JSON texts it closes. */
  push(chunk: string): string[] {
    this.buf += chunk;
    const out: string[] = [];
    let start = 0;
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === '\\') this.escape = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if ((c === '}' || c === ']') && --this.depth === 0) {
        out.push(this.buf.slice(start, i + 1).trim());
        start = i + 1;
      }
    }
    this.buf = this.buf.slice(start);
    this.scanned = this.buf.length;
    return out;
  }
}

/** JSON-RPC connection to one OVSDB server socket. */
export class OvsdbRpc {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly path: string,
    private readonly timeoutMs = 5000,
  ) {}

  private connect(): Promise<Socket> {
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const sock = createConnection(this.path);
      const splitter = new JsonStreamSplitter();
      sock.setEncoding('utf8');
      sock.once('connect', () => {
        this.socket = sock;
        this.connecting = undefined;
        sock.unref();
        resolve(sock);
      });
      sock.on('data', (chunk: string) => {
        for (const text of splitter.push(chunk)) this.onMessage(sock, text);
      });
      sock.on('error', (err) => {
        this.connecting = undefined;
        reject(new NotReadyError(`OVSDB ${this.path} unreachable: ${err.message}`, { cause: err }));
        this.failAll(err);
      });
      sock.on('close', () => {
        if (this.socket === sock) this.socket = undefined;
        this.failAll(new Error('OVSDB connection closed'));
      });
    });
    return this.connecting;
  }

  private onMessage(sock: Socket, text: string): void {
    const msg = JSON.parse(text) as {
      id: unknown;
      method?: string;
      result?: unknown;
      error?: unknown;
    };
    if (msg.method === 'echo') {
      sock.write(JSON.stringify({ id: msg.id, result: [], error: null }));
      return;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (p === undefined) return;
    this.pending.delete(msg.id as number);
    clearTimeout(p.timer);
    if (this.pending.size === 0) sock.unref();
    if (msg.error !== null && msg.error !== undefined) {
      p.reject(new Error(`OVSDB error: ${JSON.stringify(msg.error)}`));
    } else p.resolve(msg.result);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new NotReadyError(`OVSDB ${this.path}: ${err.message}`, { cause: err }));
      this.pending.delete(id);
    }
  }

  /**
   * Calls `method` with `params`.
   * @throws NotReadyError socket unreachable or closed; TimeoutError no answer in time
   */
  async call(method: string, params: unknown[]): Promise<unknown> {
    const sock = await this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`OVSDB ${method} got no answer in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      sock.ref();
      sock.write(JSON.stringify({ id, method, params }));
    });
  }

  /** Closes the connection. */
  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
