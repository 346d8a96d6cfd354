import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConfigurationError } from '../../common/errors/index.js';
import { KINDS } from '../../k8s/kinds.js';
import { HANDLER_ALIASES, resolveHandlers } from './handler-registry.js';
import type { ResourceHandler } from './types.js';

const fake = (alias: string): ResourceHandler => ({
  alias,
  kind: KINDS.pod,
  onPresent: async () => {},
});

test('unknown alias fails with the list of valid aliases', () => {
  assert.throws(
    () => resolveHandlers(['vif', 'bogus'], { vif: () => fake('vif') }, {}),
    (e: Error) =>
      isConfigurationError(e) &&
      /bogus/.test(e.message) &&
      e.message.includes(HANDLER_ALIASES.join(', ')),
  );
});

test('valid but unimplemented alias fails clearly', () => {
  assert.throws(
    () => resolveHandlers(['vif', 'service'], { vif: () => fake('vif') }, {}),
    (e: Error) =>
      isConfigurationError(e) &&
      /service not implemented/.test(e.message) &&
      /implemented: vif/.test(e.message),
  );
});

test('resolves in order, once per alias, with the deps', () => {
  const seen: unknown[] = [];
  const hs = resolveHandlers(
    ['kuryrport', 'vif', 'kuryrport'],
    {
      vif: (d) => (seen.push(d), fake('vif')),
      kuryrport: () => fake('kuryrport'),
    },
    'deps',
  );
  assert.deepEqual(
    hs.map((h) => h.alias),
    ['kuryrport', 'vif'],
  );
  assert.deepEqual(seen, ['deps']);
});
