/**
 * @module Serialises async work per key (a Docker NetworkID, an EndpointID, a CNI container id) while
 * different keys run concurrently. Never a global lock (DEVELOPERS.md, Concurrency).
 */

/**
 * A mutex per key. Guarantees:
 * - work for one key runs one at a time, in call order (FIFO);
 * - work for different keys never waits on each other;
 * - a failed task releases the key for the next one; the map holds only keys with queued work.
 * @example
 * const locks = new KeyedMutex();
 * await locks.run(networkId, () => createNetwork(req));
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` when every earlier task for `key` has settled; returns its result. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Number of keys with running or queued work (for metrics and tests). */
  get size(): number {
    return this.tails.size;
  }
}
