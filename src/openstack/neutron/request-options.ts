/** @module Per-call options every Neutron/Octavia client method accepts. */

/** Options of one client call. */
export interface RequestOptions {
  /** Aborts the call (and, for waits and listings, everything after it). */
  signal?: AbortSignal;
  /** Deadline of this call including transport retries; @default the session's request timeout. */
  timeoutMs?: number;
}

/** Options of an update. */
export interface UpdateOptions extends RequestOptions {
  /**
   * Compare-and-swap: sent as `If-Match: revision_number=<n>`; Neutron then refuses the update (412)
   * when the object changed since it was read.
   */
  ifRevision?: number;
}
