/**
 * @module Prometheus metrics of the CNI daemon: `kuryr_cni_request_duration_seconds{command,error}`, the
 * name and labels Python Kuryr exports (COMPATIBILITY.md §8), on a registry owned by the daemon.
 */
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The daemon's metrics. */
export class CniMetrics {
  readonly registry = new Registry();
  private readonly duration: Histogram<'command' | 'error'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    this.duration = new Histogram({
      name: 'kuryr_cni_request_duration_seconds',
      help: 'Duration of CNI requests by command and whether they failed',
      labelNames: ['command', 'error'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Records one request. */
  observe(command: string, failed: boolean, seconds: number): void {
    this.duration.observe({ command, error: failed ? 'true' : 'false' }, seconds);
  }

  /** Exposition text and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
