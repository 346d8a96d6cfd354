/**
 * @module In-memory cache of ADD results per attachment. Never authoritative (state lives in Neutron tags):
 * it lets a repeated ADD answer without Neutron and lets DEL skip a lookup, and is rebuilt lazily after a
 * restart.
 */
import type { CniResult } from '../../models/cni-result.js';

/** One cached attachment. */
export interface CachedAttachment {
  portId: string;
  netns: string;
  result: CniResult;
}

/** Bounded map of attachment key → result (oldest evicted first). */
export class ResultCache {
  private readonly entries = new Map<string, CachedAttachment>();

  constructor(private readonly max = 10_000) {}

  get(key: string): CachedAttachment | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: CachedAttachment): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
