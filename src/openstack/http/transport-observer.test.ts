import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from 'undici';
import { startDeadline } from './deadline.js';
import { startTestServer, type TestServer } from './test-server.js';
import { HttpTransport, type RequestObservation } from './transport.js';

const silent = pino({ level: 'silent' });
const agent = new Agent({ connect: { timeout: 2000 } });
after(() => agent.close());
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function observed(attempts = 1, throwing = false) {
  const seen: RequestObservation[] = [];
  let t = 0;
  const transport = new HttpTransport(
    { dispatcher: agent, retries: { attempts, baseDelayMs: 1, maxDelayMs: 2 } },
    silent,
    {
      random: () => 0.5,
      // each reading of the clock advances it 250 ms: the reported duration is exactly one step
      now: () => (t += 250),
      sleep: () => Promise.resolve(),
      observe: (o) => {
        seen.push(o);
        if (throwing) throw new Error('observer bug');
      },
    },
  );
  return { seen, transport };
}

const deadline = (ms = 5000) => startDeadline(ms, undefined, Date.now);

test('observer: one observation per successful call with service, method, status, duration', async () => {
  const s = await startTestServer(() => ({ status: 201, body: { port: {} } }));
  servers.push(s);
  const { seen, transport } = observed();
  await transport.send(
    'network',
    s.url,
    { method: 'POST', path: '/v2.0/ports', body: {} },
    deadline(),
  );
  assert.deepEqual(seen, [{ service: 'network', method: 'POST', status: 201, durationMs: 250 }]);
});

test('observer: an HTTP error reports its status, once per attempt of a retried call', async () => {
  const s = await startTestServer(() => ({ status: 503, body: {} }));
  servers.push(s);
  const { seen, transport } = observed(3);
  await assert.rejects(
    transport.send('load-balancer', s.url, { method: 'GET', path: '/v2/lbaas/x' }, deadline()),
  );
  assert.deepEqual(
    seen.map((o) => [o.service, o.method, o.status]),
    [
      ['load-balancer', 'GET', 503],
      ['load-balancer', 'GET', 503],
      ['load-balancer', 'GET', 503],
    ],
  );
});

test("observer: a transport failure and a deadline report status 'error'", async () => {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  const refused = observed();
  await assert.rejects(
    refused.transport.send(
      'identity',
      `http://127.0.0.1:${port}`,
      { method: 'POST', path: '/v3/auth/tokens', body: {} },
      deadline(),
    ),
  );
  assert.deepEqual(
    refused.seen.map((o) => [o.service, o.method, o.status]),
    [['identity', 'POST', 'error']],
  );

  const s = await startTestServer(() => ({ hang: true }));
  servers.push(s);
  const hung = observed();
  await assert.rejects(
    hung.transport.send('network', s.url, { method: 'GET', path: '/slow' }, deadline(200)),
  );
  assert.deepEqual(
    hung.seen.map((o) => [o.service, o.method, o.status]),
    [['network', 'GET', 'error']],
  );
});

test('observer: a throwing observer does not break the request', async () => {
  const s = await startTestServer(() => ({ body: { networks: [] } }));
  servers.push(s);
  const { seen, transport } = observed(1, true);
  const res = await transport.send('network', s.url, { method: 'GET', path: '/' }, deadline());
  assert.equal(res.status, 200);
  assert.equal(seen.length, 1);
});
