/**
 * @module Prometheus metrics of the controller pipeline, registered on an injected registry
 * (src/common/metrics.ts): queue depth, retries by outcome, handler durations.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The pipeline's metric handles. */
export interface PipelineMetrics {
  queueDepth: Gauge;
  retries: Counter<'kind' | 'outcome'>;
  handlerDuration: Histogram<'handler' | 'result'>;
}

/** Create and register the pipeline metrics. */
export function createPipelineMetrics(registry: Registry): PipelineMetrics {
  return {
    queueDepth: new Gauge({
      name: 'kuryr_controller_queue_depth',
      help: 'Object keys waiting in the controller queue',
      registers: [registry],
    }),
    retries: new Counter({
      name: 'kuryr_controller_retries_total',
      help: 'Handler failures by outcome (requeue, terminal)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    handlerDuration: new Histogram({
      name: 'kuryr_controller_handler_duration_seconds',
      help: 'Duration of handler runs',
      labelNames: ['handler', 'result'] as const,
      buckets: [0.005, 0.02, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}
