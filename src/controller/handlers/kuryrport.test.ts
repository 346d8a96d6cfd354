import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KuryrPort } from '../../k8s/crds/types.js';
import { activePollMs } from './kuryrport.js';

const kp = (created: string) =>
  ({ metadata: { creationTimestamp: created }, spec: {} }) as unknown as KuryrPort;

test('ACTIVE poll interval grows with the KuryrPort age, between 1 s and 30 s', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(activePollMs(kp('2026-01-01T00:00:00Z'), t0 + 500), 1000);
  assert.equal(activePollMs(kp('2026-01-01T00:00:00Z'), t0 + 20_000), 5000);
  assert.equal(activePollMs(kp('2026-01-01T00:00:00Z'), t0 + 3_600_000), 30_000);
  assert.equal(activePollMs(kp('not a date'), t0), 1000);
});
