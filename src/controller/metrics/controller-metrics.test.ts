import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createControllerMetrics } from './controller-metrics.js';

test('controller metrics: OpenStack attempts by service/method/status in seconds; pod latency clamps skew', async () => {
  const registry = new Registry();
  const m = createControllerMetrics(registry);
  m.observeOpenStackRequest({ service: 'network', method: 'POST', status: 201, durationMs: 300 });
  m.observeOpenStackRequest({ service: 'network', method: 'POST', status: 'error', durationMs: 5 });
  m.observePodCreationLatency(0.7);
  m.observePodCreationLatency(-2); // apiserver clock ahead of ours
  const text = await registry.metrics();
  assert.match(
    text,
    /kuryr_openstack_request_duration_seconds_sum\{service="network",method="POST",status="201"\} 0\.3\n/,
  );
  assert.match(
    text,
    /kuryr_openstack_request_duration_seconds_count\{service="network",method="POST",status="error"\} 1\n/,
  );
  assert.match(text, /kuryr_pod_creation_latency_bucket\{le="0.25"\} 1\n/);
  assert.match(text, /kuryr_pod_creation_latency_bucket\{le="1"\} 2\n/);
  assert.match(text, /kuryr_pod_creation_latency_bucket\{le="120"\} 2\n/);
  assert.match(text, /kuryr_pod_creation_latency_count 2\n/);
  assert.doesNotMatch(text, /path=/, 'no path label');
});
