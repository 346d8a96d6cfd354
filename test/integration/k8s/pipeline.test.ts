/**
 * The controller pipeline end to end on a real kube-apiserver with a test-only handler on pods:
 * finalizer added before the handler's work and removed last, NotReadyError retried with backoff,
 * ValidationError terminal with a Warning Event, health and metrics served, and a restarted controller
 * resuming from cluster state alone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { NotReadyError, ValidationError } from '../../../src/common/errors/index.js';
import { createMetricsRegistry } from '../../../src/common/metrics.js';
import { EVENT_REASON_HANDLER_FAILED } from '../../../src/controller/pipeline/dispatcher.js';
import { RetryPolicy } from '../../../src/controller/pipeline/retry-policy.js';
import type { ResourceHandler } from '../../../src/controller/pipeline/types.js';
import { ControllerService } from '../../../src/controller/service.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { hasFinalizer } from '../../../src/k8s/finalizers.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { connectKube, createNamespace, deleteNamespace, podManifest, waitFor } from './kube-env.js';

const log = pino({ level: 'silent' });
const F = 'kk.test/finalizer';
const DONE = 'kk.test/done';
let api: KubeClient;
let ns: string;
const services: ControllerService[] = [];

before(async () => {
  api = await connectKube();
  ns = await createNamespace(api, 'pipe');
});
after(async () => {
  for (const s of services) await s.stop();
  await deleteNamespace(api, ns);
});

interface Trace {
  log: string[];
  violations: string[];
  attempts: Map<string, number>;
}

function testHandler(trace: Trace): ResourceHandler {
  return {
    alias: 'kk-test',
    kind: KINDS.pod,
    watch: { namespace: ns },
    finalizer: F,
    async onPresent(pod, ctx) {
      const name = pod.metadata!.name!;
      trace.attempts.set(name, (trace.attempts.get(name) ?? 0) + 1);
      // ARCHITECTURE.md §5: the finalizer must be stored before any work happens
      const live = await ctx.api.get(KINDS.pod, name, ns);
      if (!hasFinalizer(live, F)) trace.violations.push(`no finalizer before work on ${name}`);
      if (name === 'retry' && trace.attempts.get(name)! <= 2)
        throw new NotReadyError('port not ACTIVE yet');
      if (name === 'bad')
        throw new ValidationError('pod bad: unsupported network annotation, fix the pod');
      if (live.metadata?.annotations?.[DONE] !== '1') {
        await ctx.api.patchMerge(KINDS.pod, name, ns, {
          metadata: { annotations: { [DONE]: '1' } },
        });
        trace.log.push(`present:${name}`);
      }
    },
    async onFinalize(pod, ctx) {
      const name = pod.metadata!.name!;
      const live = await ctx.api.get(KINDS.pod, name, ns);
      if (!hasFinalizer(live, F)) trace.violations.push(`finalizer gone before cleanup of ${name}`);
      trace.log.push(`finalize:${name}`);
    },
  };
}

async function startService(trace: Trace) {
  const registry = createMetricsRegistry();
  const service = new ControllerService({
    api,
    log,
    handlers: [testHandler(trace)],
    registry,
    health: { port: 0 },
    dispatcher: { retry: new RetryPolicy({ baseMs: 50, capMs: 400 }), reconcilePeriodMs: 0 },
  });
  services.push(service);
  await service.start();
  return { service, registry };
}

const newTrace = (): Trace => ({ log: [], violations: [], attempts: new Map() });
const annotated = async (name: string) =>
  (await api.get(KINDS.pod, name, ns)).metadata?.annotations?.[DONE] === '1';

test('finalizer first, retries on NotReady, Warning Event on a terminal error, finalizer removed last', async () => {
  const trace = newTrace();
  const { service, registry } = await startService(trace);
  const base = `http://127.0.0.1:${service.healthPort}`;
  await waitFor('ready', async () => (await fetch(`${base}/ready`)).status === 200);
  assert.equal((await fetch(`${base}/alive`)).status, 200);

  for (const name of ['ok', 'retry', 'bad']) await api.create(KINDS.pod, podManifest(ns, name));
  await waitFor('ok handled', () => annotated('ok'));
  await waitFor('retry handled after 2 NotReady', () => annotated('retry'));
  assert.ok(trace.attempts.get('retry')! >= 3);

  const events = await waitFor('Warning Event on bad', async () => {
    const list = await api.list(KINDS.event, {
      namespace: ns,
      fieldSelector: 'involvedObject.name=bad',
    });
    return list.items.length ? list.items : undefined;
  });
  const ev = events[0] as KubeObject & {
    type: string;
    reason: string;
    message: string;
    involvedObject: { kind: string };
  };
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.reason, EVENT_REASON_HANDLER_FAILED);
  assert.equal(ev.involvedObject.kind, 'Pod');
  assert.match(ev.message, /unsupported network annotation/);
  assert.equal(await annotated('bad'), false);
  // terminal ⇒ no timed retry: with a 50 ms backoff base, 1 s would see many retries if any were queued
  // (runs caused by real changes, like our own finalizer write, are level-based and allowed)
  const runs = trace.attempts.get('bad');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(trace.attempts.get('bad'), runs, 'terminal errors are not retried');

  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /kuryr_controller_retries_total\{kind="Pod",outcome="requeue"\} [2-9]/);
  assert.match(metrics, /kuryr_controller_retries_total\{kind="Pod",outcome="terminal"\} [1-9]/);
  assert.match(
    metrics,
    /kuryr_controller_handler_duration_seconds_count\{handler="kk-test",result="ok"\}/,
  );
  assert.ok(registry);

  for (const name of ['ok', 'retry', 'bad']) {
    assert.ok(hasFinalizer(await api.get(KINDS.pod, name, ns), F), `${name} carries the finalizer`);
  }
  await api.delete(KINDS.pod, 'ok', ns, { gracePeriodSeconds: 0 });
  await waitFor('ok gone', async () =>
    api.get(KINDS.pod, 'ok', ns).then(
      () => false,
      () => true,
    ),
  );
  assert.ok(trace.log.includes('finalize:ok'));
  assert.ok(trace.log.indexOf('present:ok') < trace.log.indexOf('finalize:ok'));
  assert.deepEqual(trace.violations, []);
});

test('a new controller resumes from cluster state alone', async () => {
  for (const s of services.splice(0)) await s.stop();
  // while no controller runs: one pod is created, one is deleted (held by our finalizer)
  await api.create(KINDS.pod, podManifest(ns, 'offline'));
  await api.delete(KINDS.pod, 'retry', ns, { gracePeriodSeconds: 0 });
  const trace = newTrace();
  await startService(trace);
  await waitFor('offline handled', () => annotated('offline'));
  await waitFor('retry finalized', async () =>
    api.get(KINDS.pod, 'retry', ns).then(
      () => false,
      () => true,
    ),
  );
  assert.ok(trace.log.includes('finalize:retry'));
  assert.ok(!trace.log.includes('present:retry'), 'a deleting object only gets onFinalize');
  assert.deepEqual(trace.violations, []);
});

test('controller_ha: only the Lease holder runs handlers; the standby takes over on shutdown', async () => {
  for (const s of services.splice(0)) await s.stop();
  const traces = [newTrace(), newTrace()];
  const make = (i: number) =>
    new ControllerService({
      api,
      log,
      handlers: [testHandler(traces[i]!)],
      health: { port: 0 },
      ha: {
        namespace: ns,
        identity: `kk-ctl-${i}`,
        leaseName: 'kk-ctl',
        leaseDurationSeconds: 5,
        retryPeriodMs: 200,
      },
      dispatcher: { retry: new RetryPolicy({ baseMs: 50 }), reconcilePeriodMs: 0 },
    });
  const [a, b] = [make(0), make(1)];
  services.push(a, b);
  await a.start();
  await waitFor('a active', () => a.isActive());
  await b.start();
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(b.isActive(), false, 'standby stays passive while the leader renews');
  // the standby is Ready (so rolling updates work) but runs nothing
  assert.equal((await fetch(`http://127.0.0.1:${b.healthPort}/ready`)).status, 200);
  await api.create(KINDS.pod, podManifest(ns, 'ha-1'));
  await waitFor('ha-1 handled by a', () => annotated('ha-1'));
  assert.ok(traces[0]!.attempts.has('ha-1'));
  assert.equal(traces[1]!.attempts.size, 0);
  await a.stop(); // releases the Lease
  services.splice(services.indexOf(a), 1);
  await waitFor('b active', () => b.isActive(), 10_000);
  await api.create(KINDS.pod, podManifest(ns, 'ha-2'));
  await waitFor('ha-2 handled by b', () => annotated('ha-2'));
  assert.ok(traces[1]!.attempts.has('ha-2'));
  assert.equal(traces[0]!.attempts.has('ha-2'), false);
});
