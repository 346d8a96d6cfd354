/**
 * @module The VIF handlers of `[kubernetes] enabled_handlers` (`vif`, `kuryrport`) as a registry the
 * controller's composition root merges into its own (src/controller/pipeline/handler-registry.ts).
 */
import type { HandlerRegistry } from '../pipeline/handler-registry.js';
import { KuryrPortHandler, type KuryrPortHandlerDeps } from './kuryrport.js';
import { VifHandler } from './vif.js';

/** `vif` and `kuryrport`. */
export const VIF_HANDLERS: HandlerRegistry<KuryrPortHandlerDeps> = {
  vif: () => new VifHandler(),
  kuryrport: (d) => new KuryrPortHandler(d),
};
