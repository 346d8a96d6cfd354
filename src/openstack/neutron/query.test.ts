import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../common/errors/index.js';
import { encodeFilters } from './query.js';

test('tag filters are comma-joined, field arrays and fields repeat', () => {
  const q = encodeFilters({
    tags: ['kuryr.net.uuid.lh:aa', 'kuryr.net.uuid.uh:bb'],
    'tags-any': ['x', 'y'],
    'not-tags': ['n1'],
    'not-tags-any': ['m1', 'm2'],
    id: ['a', 'b'],
    fields: ['id', 'name'],
    admin_state_up: true,
    device_id: null,
    name: undefined,
  });
  assert.deepEqual(q, {
    tags: 'kuryr.net.uuid.lh:aa,kuryr.net.uuid.uh:bb',
    'tags-any': 'x,y',
    'not-tags': 'n1',
    'not-tags-any': 'm1,m2',
    id: ['a', 'b'],
    fields: ['id', 'name'],
    admin_state_up: true,
    device_id: '',
  });
});

test('empty tag lists are left out', () => {
  assert.deepEqual(encodeFilters({ tags: [], 'not-tags-any': [] }), {});
  assert.deepEqual(encodeFilters(undefined), {});
});

test('a tag with a comma is refused before any request', () => {
  assert.throws(() => encodeFilters({ tags: ['a,b'] }), ValidationError);
  assert.throws(() => encodeFilters({ tags: 'a' as unknown as string[] }), ValidationError);
});
