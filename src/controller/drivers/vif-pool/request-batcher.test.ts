import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { RequestBatcher, type RequestBatcherOptions } from './request-batcher.js';

interface Req {
  key: string;
  n: number;
}

const log = pino({ level: 'silent' });

/** A batcher whose bulk call records its batches and hands out fresh numbered results. */
function batcher(o: Partial<RequestBatcherOptions<Req, string>> = {}) {
  const calls: Req[][] = [];
  const discarded: string[] = [];
  let next = 0;
  let gate: Promise<void> = Promise.resolve();
  const b = new RequestBatcher<Req, string>({
    keyOf: (r) => r.key,
    run: async (reqs) => {
      calls.push([...reqs]);
      await gate;
      return reqs.map(() => `port-${next++}`);
    },
    discard: (res) => {
      discarded.push(res);
      return Promise.resolve();
    },
    windowMs: 5,
    maxBatch: 10,
    log,
    ...o,
  });
  return {
    b,
    calls,
    discarded,
    hold: (): (() => void) => {
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      return open;
    },
  };
}

test('concurrent same-key requests share one bulk call and each gets its own result', async () => {
  const { b, calls } = batcher();
  const res = await Promise.all(Array.from({ length: 7 }, (_, n) => b.request({ key: 'a', n })));
  assert.equal(calls.length, 1);
  assert.deepEqual(
    calls[0]?.map((r) => r.n),
    [0, 1, 2, 3, 4, 5, 6],
  );
  assert.equal(new Set(res).size, 7);
});

test('different keys never share a batch', async () => {
  const { b, calls } = batcher();
  await Promise.all([
    b.request({ key: 'a', n: 0 }),
    b.request({ key: 'b', n: 1 }),
    b.request({ key: 'a', n: 2 }),
  ]);
  assert.equal(calls.length, 2);
  assert.ok(calls.every((c) => new Set(c.map((r) => r.key)).size === 1));
});

test('a full batch is sent at once; the rest waits for the window (no deadlock on a small bound)', async () => {
  const { b, calls } = batcher({ maxBatch: 3, windowMs: 1000 });
  const first = Array.from({ length: 3 }, (_, n) => b.request({ key: 'a', n }));
  await Promise.all(first); // sent without waiting the 1000 ms window
  assert.equal(calls.length, 1);
  // one lone request (a concurrency bound of 1) is sent after the window alone
  const quick = new RequestBatcher<Req, string>({
    keyOf: (r) => r.key,
    run: (reqs) => Promise.resolve(reqs.map((r) => `x${r.n}`)),
    windowMs: 2,
    maxBatch: 100,
    log,
  });
  assert.equal(await quick.request({ key: 'a', n: 1 }), 'x1');
});

test('an error of the bulk call reaches every waiter of that batch', async () => {
  const { b } = batcher({ run: () => Promise.reject(new Error('quota exceeded')) });
  const results = await Promise.allSettled(
    Array.from({ length: 4 }, (_, n) => b.request({ key: 'a', n })),
  );
  assert.equal(results.length, 4);
  for (const r of results) {
    assert.ok(r.status === 'rejected');
    assert.match(String(r.reason), /quota exceeded/);
  }
});

test('a result count mismatch fails the waiters and discards what came back', async () => {
  const { b, discarded } = batcher({ run: () => Promise.resolve(['only-one']) });
  const results = await Promise.allSettled([
    b.request({ key: 'a', n: 0 }),
    b.request({ key: 'a', n: 1 }),
  ]);
  assert.ok(results.every((r) => r.status === 'rejected'));
  assert.deepEqual(discarded, ['only-one']);
});

test('a waiter aborted before the send is dropped from the batch', async () => {
  const { b, calls } = batcher({ windowMs: 20 });
  const ac = new AbortController();
  const gone = b.request({ key: 'a', n: 0 }, ac.signal);
  const kept = b.request({ key: 'a', n: 1 });
  ac.abort(new Error('stopping'));
  await assert.rejects(gone, /stopping/);
  assert.equal(await kept, 'port-0');
  assert.deepEqual(
    calls.map((c) => c.map((r) => r.n)),
    [[1]],
  );
});

test('a waiter aborted during the bulk call is rejected at once and its result is discarded', async () => {
  const { b, discarded, hold } = batcher({ windowMs: 1 });
  const open = hold();
  const ac = new AbortController();
  const gone = b.request({ key: 'a', n: 0 }, ac.signal);
  const kept = b.request({ key: 'a', n: 1 });
  await new Promise((r) => setTimeout(r, 10)); // batch sent, bulk call pending
  assert.equal(b.running, 1);
  ac.abort();
  await assert.rejects(gone);
  open();
  assert.equal(await kept, 'port-1');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(discarded, ['port-0']);
});

test('an already aborted signal never joins a batch', async () => {
  const { b, calls } = batcher();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(b.request({ key: 'a', n: 0 }, ac.signal));
  await new Promise((r) => setTimeout(r, 15));
  assert.equal(calls.length, 0);
});

test('no result is handed out twice across many overlapping batches', async () => {
  const { b, calls } = batcher({ maxBatch: 4, windowMs: 1 });
  const res: Promise<string>[] = [];
  for (let n = 0; n < 50; n++) {
    res.push(b.request({ key: n % 2 === 0 ? 'a' : 'b', n }));
    if (n % 7 === 0) await new Promise((r) => setTimeout(r, 2));
  }
  const all = await Promise.all(res);
  assert.equal(new Set(all).size, 50);
  assert.equal(
    calls.reduce((s, c) => s + c.length, 0),
    50,
  );
  assert.ok(calls.every((c) => c.length <= 4));
  assert.ok(calls.length < 50);
});

test('group commit: requests arriving during a running call go together right after it', async () => {
  const { b, calls, hold } = batcher({ windowMs: 1, maxBatch: 10 });
  const open = hold();
  const first = b.request({ key: 'a', n: 0 });
  await new Promise((r) => setTimeout(r, 10)); // first call running, held
  const later = [1, 2, 3].map((n) => b.request({ key: 'a', n }));
  await new Promise((r) => setTimeout(r, 10)); // their window passed: still not sent
  assert.equal(calls.length, 1);
  open();
  await Promise.all([first, ...later]);
  assert.deepEqual(
    calls.map((c) => c.map((r) => r.n)),
    [[0], [1, 2, 3]],
  );
});

test('group commit: a full batch does not wait for the running call', async () => {
  const { b, calls, hold } = batcher({ windowMs: 1, maxBatch: 2 });
  const open = hold();
  const first = b.request({ key: 'a', n: 0 });
  await new Promise((r) => setTimeout(r, 10));
  const full = [1, 2].map((n) => b.request({ key: 'a', n }));
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.length, 2);
  open();
  await Promise.all([first, ...full]);
});
