import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConnectError, isRetryable, parseRetryAfter, retryDelay } from './retry-policy.js';

const opts = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

test('backoff is exponential with full jitter and capped', () => {
  const top = () => 0.999999;
  assert.equal(retryDelay(1, opts, top), 99);
  assert.equal(retryDelay(2, opts, top), 199);
  assert.equal(retryDelay(3, opts, top), 399);
  assert.equal(retryDelay(4, opts, top), 799);
  assert.equal(retryDelay(5, opts, top), 999);
  assert.equal(retryDelay(9, opts, top), 999);
  assert.equal(
    retryDelay(3, opts, () => 0),
    0,
  );
  assert.equal(
    retryDelay(3, opts, () => 0.5),
    200,
  );
});

test('Retry-After replaces the backoff and is capped', () => {
  assert.equal(
    retryDelay(1, opts, () => 0, 2500),
    2500,
  );
  assert.equal(
    retryDelay(1, { ...opts, maxRetryAfterMs: 1000 }, () => 0, 2500),
    1000,
  );
});

test('Retry-After parses seconds and HTTP dates', () => {
  const now = Date.parse('Sun, 29 Nov 2026 10:00:00 GMT');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('1.5', now), 1500);
  assert.equal(parseRetryAfter('Sun, 29 Nov 2026 10:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfter('Sun, 29 Nov 2026 09:59:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter('', now), undefined);
});

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
  code: 'ECONNREFUSED',
});
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

test('idempotent methods retry on 502/503/504/429 and transport errors', () => {
  for (const m of ['GET', 'PUT', 'DELETE', 'HEAD'] as const) {
    for (const status of [429, 502, 503, 504]) {
      assert.equal(isRetryable(m, { kind: 'status', status }), true, `${m} ${status}`);
    }
    assert.equal(isRetryable(m, { kind: 'error', error: reset }), true);
    assert.equal(isRetryable(m, { kind: 'status', status: 500 }), false);
    assert.equal(isRetryable(m, { kind: 'status', status: 409 }), false);
  }
});

test('POST/PATCH retry only when not sent, on 429, or when allowed', () => {
  for (const m of ['POST', 'PATCH'] as const) {
    assert.equal(isRetryable(m, { kind: 'status', status: 503 }), false);
    assert.equal(isRetryable(m, { kind: 'status', status: 503 }, true), true);
    assert.equal(isRetryable(m, { kind: 'status', status: 429 }), true);
    assert.equal(isRetryable(m, { kind: 'error', error: reset }), false);
    assert.equal(isRetryable(m, { kind: 'error', error: reset }, true), true);
    assert.equal(isRetryable(m, { kind: 'error', error: refused }), true);
  }
});

test('connect errors are found inside AggregateError and cause chains', () => {
  const agg = new AggregateError([refused], 'all addresses failed');
  assert.equal(isConnectError(agg), true);
  assert.equal(isConnectError(new Error('wrapped', { cause: refused })), true);
  assert.equal(isConnectError(reset), false);
  assert.equal(isConnectError(new Error('plain')), false);
  assert.equal(isRetryable('GET', { kind: 'error', error: new Error('plain') }), false);
});
