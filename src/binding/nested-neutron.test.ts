import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSubport, removeSubport } from './nested-neutron.js';
import { FakeNestedNeutron } from './testing/fakes.js';

function trunk(used: number[]) {
  const n = new FakeNestedNeutron();
  n.trunks.set('t', {
    id: 't',
    name: 't',
    port_id: 'parent',
    admin_state_up: true,
    status: 'ACTIVE',
    tags: [],
    description: '',
    project_id: 'p',
    revision_number: 1,
    sub_ports: used.map((id) => ({
      port_id: `p${id}`,
      segmentation_type: 'vlan',
      segmentation_id: id,
    })),
  });
  return n;
}

test('addSubport picks the lowest segmentation id not used on the trunk, and is idempotent', async () => {
  const n = trunk([1, 2, 4]);
  assert.equal(await addSubport(n, 't', 'new'), 3);
  assert.equal(await addSubport(n, 't', 'new'), 3);
  assert.equal(await addSubport(n, 't', 'other'), 5);
});

test('addSubport re-reads the trunk when a concurrent allocation took the id', async () => {
  const n = trunk([1]);
  n.conflicts = 1;
  assert.equal(await addSubport(n, 't', 'new'), 3);
  const ids = n.trunks.get('t')?.sub_ports.map((s) => s.segmentation_id);
  assert.equal(new Set(ids).size, ids?.length);
});

test('removeSubport is idempotent, also for a missing trunk', async () => {
  const n = trunk([1]);
  await removeSubport(n, 't', 'p1');
  await removeSubport(n, 't', 'p1');
  await removeSubport(n, 'gone', 'p1');
  assert.deepEqual(n.trunks.get('t')?.sub_ports, []);
});
