/** @module Neutron API extensions (`/v2.0/extensions`) with a cached `has(alias)` for feature checks. */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import type { Extension } from './types.js';

/**
 * Client of `/v2.0/extensions`. `has`/`aliases` fetch the list once per client and reuse it (the set of
 * extensions only changes when neutron-server restarts with another config); a failed fetch is not
 * cached, so the next call retries. `refresh()` drops the cache.
 */
export class ExtensionsClient {
  private cache: Promise<Set<string>> | undefined;

  constructor(private readonly http: ServiceClient) {}

  /** Every loaded extension (one request, never cached). */
  async list(opts: RequestOptions = {}): Promise<Extension[]> {
    const res = await this.http.request<{ extensions: Extension[] }>({
      method: 'GET',
      path: '/v2.0/extensions',
      ...opts,
    });
    return res.body.extensions;
  }

  /** The aliases of the loaded extensions (cached). */
  aliases(opts: RequestOptions = {}): Promise<Set<string>> {
    if (this.cache === undefined) {
      const pending = this.list(opts).then((exts) => new Set(exts.map((e) => e.alias)));
      this.cache = pending;
      pending.catch(() => {
        if (this.cache === pending) this.cache = undefined;
      });
    }
    return this.cache;
  }

  /**
   * Whether the extension `alias` is loaded (e.g. `standard-attr-tag`, `subnet_allocation`, `trunk`).
   * @example if (!(await neutron.extensions.has('trunk'))) throw new ConfigurationError(…)
   */
  async has(alias: string, opts: RequestOptions = {}): Promise<boolean> {
    return (await this.aliases(opts)).has(alias);
  }

  /** Forgets the cached list. */
  refresh(): void {
    this.cache = undefined;
  }
}
