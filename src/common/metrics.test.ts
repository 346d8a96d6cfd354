import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { Counter } from 'prom-client';
import { createMetricsRegistry, serveMetrics } from './metrics.js';

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('metrics', () => {
  test('registries are independent (no global default registry)', async () => {
    const a = createMetricsRegistry();
    const b = createMetricsRegistry();
    new Counter({ name: 'kuryr_test_total', help: 'h', registers: [a] }).inc();
    // the same name in another registry does not clash
    new Counter({ name: 'kuryr_test_total', help: 'h', registers: [b] });
    assert.match(await a.metrics(), /kuryr_test_total 1/);
    assert.match(await b.metrics(), /kuryr_test_total 0/);
  });

  test('default metrics and labels are opt-in', async () => {
    assert.doesNotMatch(await createMetricsRegistry().metrics(), /process_cpu/);
    const r = createMetricsRegistry({ defaultMetrics: true, labels: { node: 'n1' } });
    assert.match(await r.metrics(), /process_cpu_user_seconds_total\{node="n1"\}/);
  });

  test('serveMetrics serves GET /metrics on loopback, 404 elsewhere', async () => {
    const registry = createMetricsRegistry();
    new Counter({ name: 'kuryr_served_total', help: 'h', registers: [registry] }).inc(3);
    const server = await serveMetrics(registry, { port: 0 });
    try {
      const ok = await get(server.port, '/metrics');
      assert.equal(ok.status, 200);
      assert.match(ok.type, /text\/plain/);
      assert.match(ok.body, /kuryr_served_total 3/);
      assert.equal((await get(server.port, '/other')).status, 404);
    } finally {
      await server.close();
    }
  });
});
