/**
 * @module Network namespace switching for the in-process netlink library: run a short synchronous
 * function (create a socket, open a sysctl file) inside another netns and come straight back.
 * See netlink/README.md for why this is safe on Node's main thread and why nothing async may run inside.
 */
import { closeSync, openSync, constants as fsConstants, statSync } from 'node:fs';
import koffi from 'koffi';
import { NotFoundError, ValidationError } from '../common/errors/index.js';

const CLONE_NEWNET = 0x40000000;

type SetnsFn = (fd: number, nstype: number) => number;

let setnsFn: SetnsFn | undefined;
function setns(): SetnsFn {
  // NOTE: loaded lazily so importing the module (e.g. in unit tests with a fake Netlink) costs nothing.
  if (setnsFn === undefined) {
    const libc = koffi.load('libc.so.6');
    setnsFn = libc.func('int setns(int fd, int nstype)') as SetnsFn;
  }
  return setnsFn;
}

/**
 * Opens a netns file read-only and returns its fd (caller closes it).
 * @throws NotFoundError the path does not exist (the sandbox is gone)
 * @throws ValidationError the path is not a network namespace
 */
export function openNetns(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`network namespace ${path} does not exist`, { cause: err });
    }
    throw err;
  }
  return fd;
}

/** Identity of a netns file (device:inode), equal for two paths naming the same namespace. */
export function netnsId(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch (err) {
    throw new NotFoundError(`network namespace ${path} does not exist`, { cause: err });
  }
}

/**
 * Runs `fn` with the calling thread inside the netns at `path`, then switches back.
 * `fn` must be synchronous: any socket or file it opens stays bound to the target netns.
 * If switching back fails the process cannot know which netns it is in, so it exits (DEPENDENCIES.md §2.5).
 * @throws NotFoundError missing netns; ValidationError the path is not a netns
 */
export function inNetns<T>(path: string, fn: () => T): T {
  const target = openNetns(path);
  const self = openSync('/proc/thread-self/ns/net', fsConstants.O_RDONLY);
  try {
    if (setns()(target, CLONE_NEWNET) !== 0) {
      throw new ValidationError(
        `setns(${path}) failed (errno ${koffi.errno()}): not a network namespace?`,
      );
    }
    try {
      return fn();
    } finally {
      if (setns()(self, CLONE_NEWNET) !== 0) {
        process.stderr.write(`kuryr: FATAL: cannot return to own netns after ${path}; exiting\n`);
        process.exit(70);
      }
    }
  } finally {
    closeSync(self);
    closeSync(target);
  }
}
