/** @module Neutron per-project quotas (`/v2.0/quotas/{project_id}`, extension `quotas`). Admin only. */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import type { Quota, QuotaDetails, QuotaUpdate } from './types.js';

/** Client of `/v2.0/quotas`. `-1` means unlimited. */
export class QuotasClient {
  constructor(private readonly http: ServiceClient) {}

  private path(projectId: string): string {
    return `/v2.0/quotas/${encodeURIComponent(projectId)}`;
  }

  /** The effective quota of a project (defaults when never set). */
  async get(projectId: string, opts: RequestOptions = {}): Promise<Quota> {
    const res = await this.http.request<{ quota: Quota }>({
      method: 'GET',
      path: this.path(projectId),
      ...opts,
    });
    return res.body.quota;
  }

  /**
   * Limit, usage and reservations per resource (`…/details`, extension `quota_details`): the only
   * way to learn usage without listing every object.
   */
  async getDetails(projectId: string, opts: RequestOptions = {}): Promise<QuotaDetails> {
    const res = await this.http.request<{ quota: QuotaDetails }>({
      method: 'GET',
      path: `${this.path(projectId)}/details`,
      ...opts,
    });
    return res.body.quota;
  }

  /** The default quota a project gets (`…/default`). */
  async getDefault(projectId: string, opts: RequestOptions = {}): Promise<Quota> {
    const res = await this.http.request<{ quota: Quota }>({
      method: 'GET',
      path: `${this.path(projectId)}/default`,
      ...opts,
    });
    return res.body.quota;
  }

  /** Sets some limits of a project; returns the whole quota as stored. */
  async update(projectId: string, limits: QuotaUpdate, opts: RequestOptions = {}): Promise<Quota> {
    const res = await this.http.request<{ quota: Quota }>({
      method: 'PUT',
      path: this.path(projectId),
      body: { quota: limits },
      ...opts,
    });
    return res.body.quota;
  }

  /** Resets a project to the defaults (`DELETE`); a project without overrides is fine too. */
  async reset(projectId: string, opts: RequestOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: this.path(projectId), ...opts });
  }
}
