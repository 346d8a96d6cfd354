import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { KINDS } from '../k8s/kinds.js';
import type { KubeObject } from '../k8s/object.js';
import { FakeKube } from '../k8s/testing/fake-kube.js';
import type { HandlerContext, ResourceHandler } from './pipeline/types.js';
import { ControllerService } from './service.js';

const log = pino({ level: 'silent' });

const holder = async (api: FakeKube) =>
  (await api.get(KINDS.lease, 'kuryr-controller', 'kk-ns')).spec?.holderIdentity ?? null;

test('stop(): running handlers finish while the Lease is still held; the Lease is released after', async () => {
  const api = new FakeKube();
  api.seed(KINDS.configMap, { metadata: { name: 'cm', namespace: 'kk-ns' } });
  let entered!: () => void;
  const inHandler = new Promise<void>((r) => (entered = r));
  const seenAtAbort: (string | null)[] = [];
  const handler: ResourceHandler = {
    alias: 'slow',
    kind: KINDS.configMap,
    async onPresent(_obj: KubeObject, ctx: HandlerContext) {
      entered();
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()));
      // a handler still running must never see another replica allowed to lead
      seenAtAbort.push(await holder(api));
    },
  };
  const svc = new ControllerService({
    api,
    log,
    handlers: [handler],
    ha: { namespace: 'kk-ns', identity: 'me', retryPeriodMs: 10 },
    dispatcher: { reconcilePeriodMs: 0 },
    shutdownDrainMs: 30,
  });
  await svc.start();
  await inHandler;
  assert.equal(svc.isActive(), true);
  await svc.stop();
  assert.deepEqual(seenAtAbort, ['me'], 'Lease held until the handler returned');
  assert.equal(await holder(api), null, 'Lease released on stop');
  assert.equal(svc.isActive(), false);
  assert.equal(svc.alive(), 'stopping');
});

test('stop() during the activation hook: the hook sees the abort, no handler starts', async () => {
  const api = new FakeKube();
  let started = false;
  let hookAborted = false;
  let hookEntered!: () => void;
  const inHook = new Promise<void>((r) => (hookEntered = r));
  const svc = new ControllerService({
    api,
    log,
    handlers: [
      {
        alias: 'h',
        kind: KINDS.configMap,
        onPresent: () => {
          started = true;
          return Promise.resolve();
        },
      },
    ],
    ha: { namespace: 'kk-ns', identity: 'me', retryPeriodMs: 10 },
    onActive: (signal) => {
      hookEntered();
      return new Promise<void>((r) =>
        signal.addEventListener('abort', () => {
          hookAborted = true;
          r();
        }),
      );
    },
  });
  await svc.start();
  await inHook;
  await svc.stop();
  assert.equal(hookAborted, true);
  assert.equal(svc.isActive(), false);
  assert.equal(started, false);
  assert.equal(await holder(api), null);
});

test('stop(): a running handler may finish its calls undisturbed (drain), its create is not aborted', async () => {
  const api = new FakeKube();
  api.seed(KINDS.configMap, { metadata: { name: 'cm', namespace: 'kk-ns' } });
  let entered!: () => void;
  const inHandler = new Promise<void>((r) => (entered = r));
  let abortedWhileRunning: boolean | undefined;
  let finished = false;
  const svc = new ControllerService({
    api,
    log,
    handlers: [
      {
        alias: 'create',
        kind: KINDS.configMap,
        async onPresent(_obj: KubeObject, ctx: HandlerContext) {
          entered();
          await new Promise((r) => setTimeout(r, 50)); // a Neutron create in flight
          abortedWhileRunning = ctx.signal.aborted;
          finished = true;
        },
      },
    ],
    dispatcher: { reconcilePeriodMs: 0 },
    shutdownDrainMs: 5_000,
  });
  await svc.start();
  await inHandler;
  await svc.stop();
  assert.equal(finished, true);
  assert.equal(abortedWhileRunning, false, 'not aborted during the drain');
});
