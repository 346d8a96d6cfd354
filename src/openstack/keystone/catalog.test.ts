import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError } from '../../common/errors/index.js';
import { normaliseInterface, selectEndpoint, type CatalogEntry } from './catalog.js';

const catalog: CatalogEntry[] = [
  {
    type: 'network',
    endpoints: [
      { interface: 'admin', region_id: 'RegionOne', url: 'http://n1-admin' },
      { interface: 'public', region_id: 'RegionOne', url: 'http://n1-public' },
      { interface: 'internal', region_id: 'RegionOne', url: 'http://n1-internal' },
      { interface: 'public', region_id: 'RegionTwo', url: 'http://n2-public' },
    ],
  },
  {
    type: 'load-balancer',
    endpoints: [{ interface: 'public', region: 'RegionOne', url: 'http://lb' }],
  },
];

test('selects by type, interface and region', () => {
  assert.equal(selectEndpoint(catalog, 'network', 'public'), 'http://n1-public');
  assert.equal(selectEndpoint(catalog, 'network', 'internal', 'RegionOne'), 'http://n1-internal');
  assert.equal(selectEndpoint(catalog, 'network', 'public', 'RegionTwo'), 'http://n2-public');
  assert.equal(selectEndpoint(catalog, 'load-balancer', 'public', 'RegionOne'), 'http://lb');
});

test('explains what is missing', () => {
  assert.throws(
    () => selectEndpoint(catalog, 'network', 'internal', 'RegionTwo'),
    (e: unknown) =>
      e instanceof ConfigurationError &&
      /internal 'network' endpoint in region 'RegionTwo'/.test(e.message) &&
      /public@RegionTwo/.test(e.message),
  );
  assert.throws(
    () => selectEndpoint(catalog, 'compute', 'public'),
    /no 'compute' service \(it has: load-balancer, network\)/,
  );
  assert.throws(() => selectEndpoint([], 'network', 'public'), /it has: nothing/);
});

test('interface spellings of keystoneauth', () => {
  assert.equal(normaliseInterface(undefined), 'public');
  assert.equal(normaliseInterface('publicURL'), 'public');
  assert.equal(normaliseInterface('internalURL'), 'internal');
  assert.equal(normaliseInterface('Admin'), 'admin');
  assert.throws(() => normaliseInterface('private'), ConfigurationError);
});
