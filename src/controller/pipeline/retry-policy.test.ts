import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthError,
  ConflictError,
  NotFoundError,
  NotReadyError,
  TimeoutError,
  ValidationError,
} from '../../common/errors/index.js';
import { apiError } from '../../k8s/api-errors.js';
import { RetryPolicy } from './retry-policy.js';

const call = { method: 'PATCH', path: '/api/v1/x' };

test('NotReady, Timeout, stale 409, NotFound and bugs requeue', () => {
  const p = new RetryPolicy({ random: () => 0.5 });
  for (const err of [
    new NotReadyError('port not ACTIVE'),
    new TimeoutError('deadline'),
    apiError(409, { reason: 'Conflict', message: 'modified' }, call),
    apiError(503, { message: 'etcd' }, call),
    new NotFoundError('subnet gone'),
    new TypeError('bug'),
    new DOMException('The operation was aborted', 'AbortError'),
  ]) {
    assert.equal(p.decide(err, 0, 0).action, 'requeue', err.message);
  }
  assert.match((p.decide(new TypeError('x'), 0, 0) as { reason: string }).reason, /unexpected/);
});

test('Validation, Conflict (not stale), Auth and 422/403-terminating are terminal', () => {
  const p = new RetryPolicy();
  for (const err of [
    new ValidationError('bad spec'),
    new ConflictError('two networks'),
    new AuthError('forbidden'),
    apiError(422, { reason: 'Invalid' }, call),
    apiError(409, { reason: 'AlreadyExists' }, call),
    apiError(403, { message: 'namespace x is being terminated' }, call),
  ]) {
    assert.deepEqual(p.decide(err, 0, 0).action, 'terminal', err.message);
  }
});

test('backoff doubles from base, is capped at 60 s, jitter stays in [d/2, d]', () => {
  const lo = new RetryPolicy({ baseMs: 1000, random: () => 0 });
  const hi = new RetryPolicy({ baseMs: 1000, random: () => 0.999999 });
  assert.deepEqual(
    [0, 1, 2, 3].map((a) => hi.delay(a)),
    [1000, 2000, 4000, 8000],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((a) => lo.delay(a)),
    [500, 1000, 2000, 4000],
  );
  assert.equal(hi.delay(10), 60_000);
  assert.equal(hi.delay(1000), 60_000);
  assert.equal(lo.delay(50), 30_000);
});

test('a key past its budget becomes terminal', () => {
  const p = new RetryPolicy({ budgetMs: 10_000, random: () => 1 });
  let spent = 0;
  let attempt = 0;
  for (;;) {
    const d = p.decide(new NotReadyError('not yet'), attempt, spent);
    if (d.action === 'terminal') {
      assert.match(d.reason, /budget/);
      break;
    }
    spent += d.delayMs;
    attempt += 1;
  }
  assert.deepEqual([attempt, spent], [4, 15_000]);
});
