/**
 * Leader election between two in-process electors on a real Lease: one leader at a time, hand-over
 * when the leader stops renewing (it steps down before the Lease expires; the other takes over after
 * renewTime + duration), and fast hand-over on release.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { NotReadyError } from '../../../src/common/errors/index.js';
import type { KubeApi, KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { LeaderElector } from '../../../src/k8s/lease.js';
import { connectKube, createNamespace, deleteNamespace, waitFor } from './kube-env.js';

const log = pino({ level: 'silent' });
let api: KubeClient;
let ns: string;

before(async () => {
  api = await connectKube();
  ns = await createNamespace(api, 'lease');
});
after(async () => deleteNamespace(api, ns));

/** Every leadership change, in order, with a check that two leaders never overlap. */
function timeline() {
  const entries: string[] = [];
  let leaders = 0;
  let overlap = false;
  return {
    entries,
    overlap: () => overlap,
    hooks: (id: string) => ({
      onStartedLeading: () => {
        leaders += 1;
        if (leaders > 1) overlap = true;
        entries.push(`${id}:start`);
      },
      onStoppedLeading: () => {
        leaders -= 1;
        entries.push(`${id}:stop`);
      },
    }),
  };
}

test('second elector takes over after the first stops renewing; never two leaders', async () => {
  const t = timeline();
  let partitioned = false;
  // A's view of the API: once "partitioned", every call fails (it can neither renew nor release)
  const apiA: KubeApi = Object.create(api) as KubeApi;
  for (const m of ['get', 'replace', 'create'] as const) {
    const orig = api[m].bind(api) as (...a: unknown[]) => Promise<unknown>;
    (apiA as unknown as Record<string, unknown>)[m] = (...a: unknown[]) =>
      partitioned ? Promise.reject(new NotReadyError('partitioned (injected)')) : orig(...a);
  }
  const common = {
    namespace: ns,
    name: 'kk-lease',
    log,
    leaseDurationSeconds: 3,
    renewDeadlineMs: 2000,
    retryPeriodMs: 200,
  };
  const a = new LeaderElector(apiA, { ...common, identity: 'kk-a', ...t.hooks('a') });
  const b = new LeaderElector(api, { ...common, identity: 'kk-b', ...t.hooks('b') });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.run(stopA.signal);
  await waitFor('a leads', () => a.isLeader());
  const runB = b.run(stopB.signal);
  // b keeps trying for a while and must not win while a renews
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b.isLeader(), false);
  }
  partitioned = true;
  await waitFor('b leads', () => b.isLeader(), 15_000);
  assert.equal(a.isLeader(), false);
  assert.deepEqual(t.entries, ['a:start', 'a:stop', 'b:start']);
  assert.equal(t.overlap(), false);
  const lease = await api.get(KINDS.lease, 'kk-lease', ns);
  assert.equal(lease.spec?.holderIdentity, 'kk-b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  assert.equal(typeof lease.spec?.renewTime, 'string');
  stopA.abort();
  stopB.abort();
  await Promise.all([runA, runB]);
});

test('release on shutdown hands over at the standby’s next try', async () => {
  const t = timeline();
  const common = {
    namespace: ns,
    name: 'kk-lease2',
    log,
    leaseDurationSeconds: 30,
    retryPeriodMs: 200,
  };
  const a = new LeaderElector(api, { ...common, identity: 'kk-a', ...t.hooks('a') });
  const b = new LeaderElector(api, { ...common, identity: 'kk-b', ...t.hooks('b') });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.run(stopA.signal);
  await waitFor('a leads', () => a.isLeader());
  const runB = b.run(stopB.signal);
  stopA.abort();
  await runA;
  // the lease duration is 30 s: only the release lets b in quickly
  await waitFor('b leads', () => b.isLeader(), 5_000);
  assert.deepEqual(t.entries, ['a:start', 'a:stop', 'b:start']);
  assert.equal(t.overlap(), false);
  stopB.abort();
  await runB;
  const lease = await api.get(KINDS.lease, 'kk-lease2', ns);
  assert.equal(lease.spec?.holderIdentity ?? null, null);
});
