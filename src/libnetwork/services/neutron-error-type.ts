/**
 * @module Reads Neutron's error type (`NeutronError.type`, e.g. `IpAddressAlreadyAllocated`) from a client
 * error, wherever the transport put it (details, a property, or only the message).
 */

/** True when the error came from Neutron with one of the given types. */
export function isNeutronErrorType(error: unknown, ...types: string[]): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & {
    details?: Record<string, unknown>;
    type?: unknown;
    neutronType?: unknown;
  };
  const candidates = [
    e.details?.type,
    e.details?.neutronType,
    e.details?.errorType,
    e.type,
    e.neutronType,
  ];
  for (const c of candidates) if (typeof c === 'string' && types.includes(c)) return true;
  const text = `${e.message} ${JSON.stringify(e.details ?? {})}`;
  return types.some((t) => text.includes(t));
}
