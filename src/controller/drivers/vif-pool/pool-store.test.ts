import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Vif } from '../../../models/vif.js';
import { poolKey, type PoolKeyParts } from './pool-key.js';
import { PoolStore } from './pool-store.js';

const parts = (sgs: string[], node = 'n1'): PoolKeyParts => ({
  node,
  projectId: 'p',
  subnetIds: ['s'],
  securityGroups: sgs,
});
const vif = (id: string) => ({ id }) as Vif;

test('a port is free in at most one pool; take hands out the oldest first', () => {
  const store = new PoolStore();
  store.put(parts(['a']), vif('1'));
  store.put(parts(['a']), vif('2'));
  store.put(parts(['b']), vif('1')); // already free in pool a: ignored
  assert.equal(store.size(poolKey(parts(['a']))), 2);
  assert.equal(store.size(poolKey(parts(['b']))), 0);
  assert.equal(store.take(poolKey(parts(['a'])))?.id, '1');
  assert.equal(store.has('1'), false);
  assert.equal(store.has('2'), true);
});

test('takeSibling only takes from pools of the same node/project/subnets', () => {
  const store = new PoolStore();
  store.put(parts(['x'], 'other-node'), vif('9'));
  assert.equal(store.takeSibling(parts(['a'])), undefined);
  store.put(parts(['b']), vif('3'));
  const got = store.takeSibling(parts(['a']));
  assert.equal(got?.vif.id, '3');
  assert.deepEqual(got?.from.securityGroups, ['b']);
});

test('takeAll empties a pool; forgetIfEmpty drops it from the listing', () => {
  const store = new PoolStore();
  store.put(parts(['a']), vif('1'));
  const [[key, pool]] = store.entries() as [[string, Parameters<PoolStore['takeAll']>[0]]];
  assert.deepEqual(
    store.takeAll(pool).map((v) => v.id),
    ['1'],
  );
  assert.equal(store.has('1'), false);
  assert.equal(store.infos()[0]?.free, 0);
  store.forgetIfEmpty(key, pool);
  assert.deepEqual(store.infos(), []);
});
