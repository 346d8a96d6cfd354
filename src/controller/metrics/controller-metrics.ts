/**
 * @module The controller's own Prometheus metrics (issue #6), registered on the controller's injected
 * registry next to the pipeline metrics: pod creation latency (same name as the Python Kuryr exporter,
 * so existing dashboards keep working) and the duration of every OpenStack request.
 */
import { Histogram, type Registry } from 'prom-client';
import type { RequestObserver } from '../../openstack/http/transport.js';

/**
 * Pod creation → VIF written, in seconds. Python Kuryr uses 10, 20 … 120 s; with port pools a pod is
 * usually wired in well under a second, so the low buckets resolve sub-second and few-second latencies
 * while 10 … 120 keep the Python dashboards' upper range.
 */
export const POD_LATENCY_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 90, 120] as const;

/** Neutron/Octavia/Keystone calls: a few ms (cached GET) to tens of seconds (bulk port create). */
export const OPENSTACK_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The handles and hooks the composition root wires into the handlers and the OpenStack session. */
export interface ControllerMetrics {
  podCreationLatency: Histogram;
  openstackRequestDuration: Histogram<'service' | 'method' | 'status'>;
  /** For `createOpenStackSession(…, { observe })`: one observation per attempt. */
  observeOpenStackRequest: RequestObserver;
  /** For the kuryrport handler: seconds from pod creation to its first VIF write. */
  observePodCreationLatency: (seconds: number) => void;
}

/** Create and register the controller metrics on `registry`. */
export function createControllerMetrics(registry: Registry): ControllerMetrics {
  const podCreationLatency = new Histogram({
    name: 'kuryr_pod_creation_latency',
    help: 'Seconds from pod creation to its VIF written into the KuryrPort (once per pod)',
    buckets: [...POD_LATENCY_BUCKETS],
    registers: [registry],
  });
  const openstackRequestDuration = new Histogram({
    name: 'kuryr_openstack_request_duration_seconds',
    help: "Duration of each OpenStack request attempt by service, method and HTTP status ('error': no reply)",
    labelNames: ['service', 'method', 'status'] as const,
    buckets: OPENSTACK_DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    podCreationLatency,
    openstackRequestDuration,
    // NOTE: no path label: ids in paths would make one series per port (unbounded cardinality).
    observeOpenStackRequest: (o) =>
      openstackRequestDuration.observe(
        { service: o.service, method: o.method, status: String(o.status) },
        o.durationMs / 1000,
      ),
    // A clock skew between the apiserver and us can give a negative age: count it as 0, not drop it.
    observePodCreationLatency: (seconds) => podCreationLatency.observe(Math.max(0, seconds)),
  };
}
