import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from './keyed-mutex.js';

const tick = () => new Promise((r) => setImmediate(r));

test('same key runs one at a time in call order', async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  const job = (name: string) => async () => {
    log.push(`start ${name}`);
    await tick();
    log.push(`end ${name}`);
  };
  await Promise.all([m.run('a', job('1')), m.run('a', job('2')), m.run('a', job('3'))]);
  assert.deepEqual(log, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  assert.equal(m.size, 0);
});

test('different keys run concurrently', async () => {
  const m = new KeyedMutex();
  let releaseA!: () => void;
  const a = m.run('a', () => new Promise<void>((r) => (releaseA = r)));
  let bRan = false;
  await m.run('b', async () => {
    bRan = true;
  });
  assert.equal(bRan, true);
  releaseA();
  await a;
});

test('a failing task releases the key', async () => {
  const m = new KeyedMutex();
  await assert.rejects(
    m.run('k', () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await m.run('k', () => Promise.resolve(42)), 42);
  assert.equal(m.size, 0);
});
