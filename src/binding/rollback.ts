/**
 * @module Undo list for multi-step host plumbing: each step that created something registers how to
 * remove it; on failure the steps are undone in reverse order, best effort, and the first error rethrown.
 */
import type { Logger } from 'pino';

/** Collects undo actions; `run` executes them newest first and never throws. */
export class Rollback {
  private readonly undo: { what: string; fn: () => Promise<unknown> }[] = [];

  constructor(private readonly log?: Logger) {}

  /** Registers how to undo the step just done. */
  push(what: string, fn: () => Promise<unknown>): void {
    this.undo.push({ what, fn });
  }

  /** Undoes everything registered so far (reverse order); failures are logged and skipped. */
  async run(): Promise<void> {
    for (const step of this.undo.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        this.log?.warn({ err, step: step.what }, 'rollback step failed');
      }
    }
    this.undo.length = 0;
  }

  /** Runs `fn(this)`; if it throws, rolls back and rethrows the original error. */
  async guard<T>(fn: (rb: Rollback) => Promise<T>): Promise<T> {
    try {
      return await fn(this);
    } catch (err) {
      await this.run();
      throw err;
    }
  }
}
