import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidationError } from '../../common/errors/index.js';
import { matchesSelector, snapshotResolver } from './snapshot-resolver.js';

describe('matchesSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  const cases: [string, Parameters<typeof matchesSelector>[1], boolean][] = [
    ['empty selects all', {}, true],
    ['matchLabels hit', { matchLabels: { app: 'web' } }, true],
    ['matchLabels miss', { matchLabels: { app: 'db' } }, false],
    [
      'In',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] },
      true,
    ],
    [
      'In on a missing key',
      { matchExpressions: [{ key: 'x', operator: 'In', values: [''] }] },
      false,
    ],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [
      'NotIn on a missing key',
      { matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }] },
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [
      'labels AND expressions',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }],
      },
      false,
    ],
  ];
  for (const [name, selector, want] of cases) {
    it(name, () => assert.equal(matchesSelector(labels, selector), want));
  }
  it('an unknown operator is an error, never a match', () => {
    assert.throws(
      () => matchesSelector(labels, { matchExpressions: [{ key: 'app', operator: 'Gt' }] }),
      isValidationError,
    );
  });
});

describe('snapshotResolver', () => {
  const resolve = snapshotResolver({
    namespaces: [{ name: 'a', labels: { env: 'prod' } }, { name: 'b' }],
    pods: [
      { name: 'p1', namespace: 'a', labels: { app: 'x' }, ips: ['10.0.0.1', 'fd00::1'] },
      { name: 'p2', namespace: 'b', labels: { app: 'x' }, ips: ['10.0.0.2'] },
      { name: 'p3', namespace: 'b', labels: { app: 'x' }, ips: [] },
    ],
  });
  const ips = (r: ReturnType<typeof resolve>) => r.map((p) => p.ip);
  it('no namespaceSelector = the policy namespace only', () => {
    assert.deepEqual(ips(resolve({ matchLabels: { app: 'x' } }, undefined, 'b')), ['10.0.0.2']);
  });
  it('namespaceSelector {} = every namespace; one entry per IP; pods without IP skipped', () => {
    assert.deepEqual(ips(resolve(undefined, {}, 'b')), ['10.0.0.1', 'fd00::1', '10.0.0.2']);
  });
  it('namespaceSelector by label', () => {
    assert.deepEqual(ips(resolve({}, { matchLabels: { env: 'prod' } }, 'b')), [
      '10.0.0.1',
      'fd00::1',
    ]);
  });
});
