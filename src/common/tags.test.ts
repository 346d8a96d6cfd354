import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dockerIdFromTags,
  existingNetworkTag,
  idTags,
  isKuryrIdentityTag,
  TAG_MAX_LENGTH,
} from './tags.js';

test('a 64-hex Docker ID splits into lh/uh tags that fit Neutron and rebuild the ID', () => {
  const id = '0123456789abcdef'.repeat(4);
  const tags = idTags(id);
  assert.deepEqual(tags, [
    `kuryr.net.uuid.lh:${id.slice(0, 32)}`,
    `kuryr.net.uuid.uh:${id.slice(32)}`,
  ]);
  assert.ok(tags.every((t) => t.length <= TAG_MAX_LENGTH));
  assert.equal(dockerIdFromTags(['x', ...tags]), id);
  assert.deepEqual(idTags('a'.repeat(25)), [`kuryr.net.uuid.lh:${'a'.repeat(25)}`]);
  assert.equal(dockerIdFromTags(['compute:kuryr']), undefined);
});

test('existing-network tag and identity predicate', () => {
  assert.equal(existingNetworkTag('abcdef0123456789'), 'kuryr.net.existing:abcdef012345');
  assert.ok(isKuryrIdentityTag('kuryr.net.existing:abc'));
  assert.ok(!isKuryrIdentityTag('compute:kuryr'));
});
