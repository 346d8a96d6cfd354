import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needsRenewal, renewalMarginMs } from './token-renewal.js';

const H = 3_600_000;

test('default margin: the smaller of 5 minutes and 10 % of the lifetime', () => {
  assert.equal(renewalMarginMs(24 * H), 300_000);
  assert.equal(renewalMarginMs(H), 300_000);
  assert.equal(renewalMarginMs(60_000), 6_000);
});

test('a configured margin wins but leaves a short token at least 10 % of its life', () => {
  assert.equal(renewalMarginMs(H, 600_000), 600_000);
  assert.equal(renewalMarginMs(60_000, 600_000), 54_000);
});

test('needsRenewal with a fake clock', () => {
  const issued = 1_000_000;
  const expires = issued + H;
  assert.equal(needsRenewal(issued, expires, issued), false);
  assert.equal(needsRenewal(issued, expires, expires - 300_001), false);
  assert.equal(needsRenewal(issued, expires, expires - 300_000), true);
  assert.equal(needsRenewal(issued, expires, expires + 1), true);
  assert.equal(needsRenewal(issued, expires, expires - 700_000, 600_000), false);
  assert.equal(needsRenewal(issued, expires, expires - 500_000, 600_000), true);
});
