/**
 * @module `tap` vif_type: create the veth pair and leave the host end (up, unplugged) for someone else.
 */
import { VethDriver } from './veth-driver.js';

/** Veth pair only; plugging the host end is another component's job. */
export class VethTapDriver extends VethDriver {
  readonly name = 'tap';
  protected async plugHost(): Promise<void> {}
  protected async unplugHost(): Promise<void> {}
  protected checkHost(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
