/**
 * @module The rtnetlink sockets of `NativeNetlink`: the process's own socket, kept open, and a short-lived
 * socket opened inside a target netns for each call there (why: README.md here), plus link lookups.
 */
import { closeSync } from 'node:fs';
import { createRtNetlink, type RtNetlinkSocket } from 'netlink';
import { inNetns, openNetns } from '../netns.js';
import { NotFoundError } from '../../common/errors/index.js';
import { TIMEOUT_MS, toLinkInfo } from './rt-messages.js';
import type { LinkInfo, NetnsPath } from './types.js';

/** Socket per netns for the native Netlink; one instance per `NativeNetlink`, `close()` at exit. */
export class NetnsSockets {
  private own: RtNetlinkSocket | undefined;

  /** Runs `fn` with a socket in `netns`; foreign-netns sockets are closed after use so that the
   * socket never keeps a deleted namespace alive. */
  async withSocket<T>(netns: NetnsPath, fn: (s: RtNetlinkSocket) => Promise<T>): Promise<T> {
    if (netns === undefined) {
      this.own ??= createRtNetlink();
      return fn(this.own);
    }
    const socket = inNetns(netns, () => createRtNetlink());
    try {
      return await fn(socket);
    } finally {
      socket.socket.close();
    }
  }

  /** Runs `fn` with an fd of `netns` (for IFLA_NET_NS_FD), closed afterwards. */
  async withNetnsFd<T>(netns: NetnsPath, fn: (fd?: number) => Promise<T>): Promise<T> {
    if (netns === undefined) return fn(undefined);
    const fd = openNetns(netns);
    try {
      return await fn(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The ifindex of `name`. @throws NotFoundError when there is no such link. */
  async index(s: RtNetlinkSocket, name: string, netns: NetnsPath): Promise<number> {
    const link = await this.readLink(s, name);
    if (link === undefined)
      throw new NotFoundError(`link ${name} not found in ${netns ?? 'current netns'}`);
    return link.index;
  }

  /** The link called `name`, or undefined when there is none (ENODEV). */
  async readLink(s: RtNetlinkSocket, name: string): Promise<LinkInfo | undefined> {
    try {
      const [msg] = await s.getLink({}, { ifname: name }, { timeout: TIMEOUT_MS });
      return msg === undefined ? undefined : toLinkInfo(msg);
    } catch (err) {
      if (/ENODEV/.test(String(err))) return undefined;
      throw err;
    }
  }

  /** Closes the process's own socket (foreign-netns sockets are never kept). */
  close(): void {
    this.own?.socket.close();
    this.own = undefined;
  }
}
