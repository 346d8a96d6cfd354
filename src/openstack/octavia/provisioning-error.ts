/** @module The error of an Octavia object that went to provisioning_status ERROR. */
import { ConflictError } from '../../common/errors/index.js';

/**
 * An Octavia load balancer (or child) is in `ERROR`: Octavia will not recover it by itself, so waiting or
 * retrying the same request is pointless. It is a ConflictError (terminal for the controller); the caller
 * decides whether to delete (cascade) and recreate it. `details`: `{ loadBalancerId, provisioningStatus,
 * operatingStatus }`.
 */
export class ProvisioningError extends ConflictError {
  override readonly name: string = 'ProvisioningError';
}
