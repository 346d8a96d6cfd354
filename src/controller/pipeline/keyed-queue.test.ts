import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedQueue, type QueueTimers } from './keyed-queue.js';

/** A deferred promise per run, so tests decide when each worker finishes. */
function gatedWorker() {
  const log: string[] = [];
  const gates = new Map<string, (() => void)[]>();
  let running = 0;
  let maxRunning = 0;
  const worker = async (key: string) => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    log.push(`start:${key}`);
    await new Promise<void>((resolve) => {
      const list = gates.get(key) ?? [];
      list.push(resolve);
      gates.set(key, list);
    });
    log.push(`end:${key}`);
    running -= 1;
  };
  const release = async (key: string) => {
    const fn = gates.get(key)?.shift();
    assert.ok(fn, `no run of ${key} waiting`);
    fn();
    await new Promise((r) => setImmediate(r));
  };
  return { log, worker, release, max: () => maxRunning };
}

const tick = () => new Promise((r) => setImmediate(r));

test('runs one key at a time and coalesces adds while it runs into one rerun', async () => {
  const w = gatedWorker();
  const q = new KeyedQueue({ worker: w.worker, concurrency: 4 });
  q.add('a');
  await tick();
  q.add('a');
  q.add('a');
  q.add('a');
  await tick();
  assert.deepEqual(w.log, ['start:a']);
  await w.release('a');
  await tick();
  assert.deepEqual(w.log, ['start:a', 'end:a', 'start:a']);
  await w.release('a');
  await q.idle();
  assert.deepEqual(w.log, ['start:a', 'end:a', 'start:a', 'end:a']);
  assert.equal(w.max(), 1);
});

test('adds of a waiting key coalesce into one run', async () => {
  const w = gatedWorker();
  const q = new KeyedQueue({ worker: w.worker, concurrency: 1 });
  q.add('a');
  q.add('b');
  q.add('b');
  q.add('b');
  await tick();
  assert.equal(q.depth(), 1);
  await w.release('a');
  await w.release('b');
  await q.idle();
  assert.deepEqual(w.log, ['start:a', 'end:a', 'start:b', 'end:b']);
});

test('different keys run concurrently up to the bound, FIFO', async () => {
  const w = gatedWorker();
  const q = new KeyedQueue({ worker: w.worker, concurrency: 2 });
  for (const k of ['a', 'b', 'c', 'd']) q.add(k);
  await tick();
  assert.deepEqual(w.log, ['start:a', 'start:b']);
  assert.equal(q.inFlight(), 2);
  assert.equal(q.depth(), 2);
  await w.release('b');
  await tick();
  assert.deepEqual(w.log.slice(2), ['end:b', 'start:c']);
  await w.release('a');
  await w.release('c');
  await w.release('d');
  await q.idle();
  assert.equal(w.max(), 2);
});

test('a throwing worker is reported and the key can run again', async () => {
  const errors: string[] = [];
  let n = 0;
  const q = new KeyedQueue({
    worker: async () => {
      n += 1;
      if (n === 1) throw new Error('boom');
    },
    onError: (key, err) => errors.push(`${key}:${(err as Error).message}`),
  });
  q.add('x');
  await q.idle();
  q.add('x');
  await q.idle();
  assert.deepEqual(errors, ['x:boom']);
  assert.equal(n, 2);
});

test('addAfter waits for the timer; an immediate add wins and cancels it', async () => {
  const pending = new Map<number, () => void>();
  let id = 0;
  const timers: QueueTimers = {
    setTimeout: (fn) => {
      pending.set(++id, fn);
      return id;
    },
    clearTimeout: (h) => pending.delete(h as number),
  };
  const ran: string[] = [];
  const q = new KeyedQueue({ worker: async (k) => void ran.push(k), timers });
  q.addAfter('a', 1000);
  q.addAfter('b', 1000);
  await q.idle();
  assert.deepEqual(ran, []);
  assert.equal(q.depth(), 2);
  q.add('b');
  await q.idle();
  assert.deepEqual(ran, ['b']);
  assert.equal(pending.size, 1);
  [...pending.values()][0]!();
  await q.idle();
  assert.deepEqual(ran, ['b', 'a']);
  assert.equal(q.depth(), 0);
});

test('stop drops waiting keys and timers', async () => {
  const w = gatedWorker();
  const q = new KeyedQueue({ worker: w.worker, concurrency: 1 });
  q.add('a');
  q.add('b');
  q.addAfter('c', 60_000);
  await tick();
  const stopped = q.stop();
  await w.release('a');
  await stopped;
  q.add('d');
  await q.idle();
  assert.deepEqual(w.log, ['start:a', 'end:a']);
});
