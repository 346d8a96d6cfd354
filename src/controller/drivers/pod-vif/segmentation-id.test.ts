import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotReadyError } from '../../../common/errors/index.js';
import { chooseSegmentationIds, VLAN_MAX } from './segmentation-id.js';

test('never picks an id already used on the trunk', () => {
  const used = Array.from({ length: VLAN_MAX - 3 }, (_, i) => i + 1); // 1..4091 used
  for (let i = 0; i < 50; i++) {
    const [id] = chooseSegmentationIds(used, 1);
    assert.ok(id !== undefined && id > VLAN_MAX - 3 && id <= VLAN_MAX, `got ${id}`);
  }
});

test('several ids are distinct and free', () => {
  const ids = chooseSegmentationIds([1, 2, 3], 100, () => 0.5);
  assert.equal(new Set(ids).size, 100);
  for (const id of ids) assert.ok(id >= 4 && id <= VLAN_MAX);
});

test('a full trunk is NotReady, not a random reuse', () => {
  const used = Array.from({ length: VLAN_MAX }, (_, i) => i + 1);
  assert.throws(() => chooseSegmentationIds(used, 1), NotReadyError);
  assert.throws(() => chooseSegmentationIds(used.slice(1), 2), NotReadyError);
});
