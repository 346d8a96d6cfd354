/**
 * @module Test cleanup by recorded id: register an undo step right after each create; `run()` executes
 * them in reverse order, treating NotFound as done and collecting (not stopping at) other failures.
 */
import { ignoreNotFound } from '../../common/errors/index.js';

/** Undo steps of one test suite. */
export class CleanupStack {
  private readonly steps: { what: string; undo: () => Promise<unknown> }[] = [];

  /** Registers `undo` (e.g. `() => neutron.ports.delete(id)`), described by `what` in failure reports. */
  push(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  /**
   * Runs every step, last registered first.
   * @throws AggregateError listing the steps that failed with something other than NotFound.
   */
  async run(): Promise<void> {
    const failures: Error[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop();
      if (step === undefined) break;
      try {
        await ignoreNotFound(step.undo);
      } catch (error) {
        failures.push(
          new Error(`cleanup of ${step.what} failed: ${String(error)}`, { cause: error }),
        );
      }
    }
    if (failures.length > 0)
      throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
  }
}
