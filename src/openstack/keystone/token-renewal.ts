/**
 * @module When to renew a Keystone token. Pure; unit-tested with a fake clock.
 */

/** Default cap of the renewal margin: renew at the latest 5 minutes before expiry. */
export const DEFAULT_RENEW_BEFORE_MS = 5 * 60_000;

/**
 * The margin before expiry at which a token is renewed.
 * @param lifetimeMs issued_at → expires_at of the token.
 * @param renewBeforeMs configured margin; default: the smaller of 5 minutes and 10 % of the lifetime.
 * @returns the margin, never more than 90 % of the lifetime so a short token is still used a little.
 */
export function renewalMarginMs(lifetimeMs: number, renewBeforeMs?: number): number {
  const margin = renewBeforeMs ?? Math.min(DEFAULT_RENEW_BEFORE_MS, lifetimeMs * 0.1);
  return Math.max(0, Math.min(margin, lifetimeMs * 0.9));
}

/**
 * True when a token must be renewed before use.
 * @param issuedAt epoch ms.
 * @param expiresAt epoch ms.
 * @param now epoch ms.
 * @param renewBeforeMs configured margin (see `renewalMarginMs`).
 */
export function needsRenewal(
  issuedAt: number,
  expiresAt: number,
  now: number,
  renewBeforeMs?: number,
): boolean {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  return now >= expiresAt - renewalMarginMs(lifetime, renewBeforeMs);
}
