import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotReadyError } from '../../common/errors/index.js';
import type { AllowedAddressPair } from './types.js';
import {
  addPairs,
  attachWithFreeSegmentationIds,
  casAllowedAddressPairs,
  freeSegmentationIds,
  removePairs,
  removePairsByIp,
  retryLostRace,
  VLAN_MAX,
} from './nested-cas.js';

class Lost extends Error {}
const race = { isLostRace: (e: unknown) => e instanceof Lost, backoffMs: 0 };

/** A port whose writes fail `lose` times (revision race), or silently vanish `vanish` times. */
function port(pairs: AllowedAddressPair[], lose = 0, vanish = 0) {
  const p = { pairs, revision: 1, writes: 0, lose, vanish };
  return {
    p,
    access: {
      read: () => Promise.resolve({ pairs: [...p.pairs], revision: p.revision }),
      write: (next: AllowedAddressPair[], rev: number) => {
        p.writes++;
        if (p.lose > 0 || rev !== p.revision) {
          p.lose--;
          return Promise.reject(new Lost('412'));
        }
        p.revision++;
        if (p.vanish > 0)
          p.vanish--; // another API worker overwrote it (If-Match passed for both)
        else p.pairs = next;
        return Promise.resolve();
      },
    },
  };
}

test('pairs CAS: adds once, idempotent, case-insensitive MAC', async () => {
  const { p, access } = port([{ ip_address: '10.0.0.5', mac_address: 'AA:BB:CC:00:00:01' }]);
  const edit = addPairs([
    { ip_address: '10.0.0.5', mac_address: 'aa:bb:cc:00:00:01' },
    { ip_address: '10.0.0.6', mac_address: 'aa:bb:cc:00:00:02' },
  ]);
  const o = { ...race, attempts: 3, exhausted: () => new Error('x') };
  assert.equal(await casAllowedAddressPairs(access, edit, o), true);
  assert.equal(await casAllowedAddressPairs(access, edit, o), false);
  assert.equal(p.pairs.length, 2);
  await casAllowedAddressPairs(access, removePairsByIp(['10.0.0.6']), o);
  await casAllowedAddressPairs(
    access,
    removePairs([{ ip_address: '10.0.0.5', mac_address: 'ff:ff:ff:ff:ff:ff' }]),
    o,
  );
  assert.deepEqual(
    p.pairs.map((x) => x.ip_address),
    ['10.0.0.5'],
    'remove by pair needs the MAC too',
  );
});

test("pairs CAS: a lost race re-reads; losing every attempt raises the caller's category", async () => {
  const a = port([], 2);
  await casAllowedAddressPairs(a.access, addPairs([{ ip_address: '10.0.0.7' }]), {
    ...race,
    attempts: 3,
    exhausted: () => new Error('no'),
  });
  assert.equal(a.p.pairs.length, 1);
  const b = port([], 5);
  await assert.rejects(
    casAllowedAddressPairs(b.access, addPairs([{ ip_address: '10.0.0.7' }]), {
      ...race,
      attempts: 3,
      exhausted: (last) => new NotReadyError('requeue', { cause: last }),
    }),
    NotReadyError,
  );
  const c = port([], 5);
  await assert.rejects(
    casAllowedAddressPairs(c.access, addPairs([{ ip_address: '10.0.0.7' }]), {
      ...race,
      attempts: 3,
      exhausted: () => new ConflictError('binding'),
    }),
    ConflictError,
  );
  assert.equal(c.p.writes, 3, 'attempts bound the writes');
});

test('pairs CAS with verify: a write lost behind an accepted If-Match is written again', async () => {
  const { p, access } = port([], 0, 1);
  const o = { ...race, attempts: 4, exhausted: () => new Error('x') };
  await casAllowedAddressPairs(access, addPairs([{ ip_address: '10.0.0.8' }]), {
    ...o,
    verify: true,
  });
  assert.equal(p.writes, 2);
  assert.equal(p.pairs.length, 1);
});

test('retryLostRace: other errors pass through at once', async () => {
  let n = 0;
  await assert.rejects(
    retryLostRace(
      () => {
        n++;
        return Promise.reject(new TypeError('bug'));
      },
      { ...race, attempts: 5, exhausted: () => new Error('x') },
    ),
    TypeError,
  );
  assert.equal(n, 1);
});

test('segmentation ids: lowest by default, random never reuses, a full trunk is NotReady', () => {
  assert.deepEqual(freeSegmentationIds([1, 2, 4], 2), [3, 5]);
  const used = Array.from({ length: VLAN_MAX - 3 }, (_, i) => i + 1);
  for (let i = 0; i < 50; i++) {
    const [id] = freeSegmentationIds(used, 1, Math.random);
    assert.ok(id !== undefined && id > VLAN_MAX - 3 && id <= VLAN_MAX, `got ${id}`);
  }
  const ids = freeSegmentationIds([1, 2, 3], 100, () => 0.5);
  assert.equal(new Set(ids).size, 100);
  for (const id of ids) assert.ok(id >= 4 && id <= VLAN_MAX);
  const full = Array.from({ length: VLAN_MAX }, (_, i) => i + 1);
  assert.throws(() => freeSegmentationIds(full, 1), NotReadyError);
  assert.throws(() => freeSegmentationIds(full.slice(1), 2, Math.random), NotReadyError);
});

test('attachWithFreeSegmentationIds: a 409 re-reads the trunk; done short-circuits', async () => {
  const used = [1];
  let conflicts = 1;
  const ids = await attachWithFreeSegmentationIds(
    {
      read: () => Promise.resolve({ used: [...used] }),
      add: (chosen) => {
        if (conflicts-- > 0) {
          used.push(chosen[0] as number); // someone else took it
          return Promise.reject(new Lost('409'));
        }
        used.push(...chosen);
        return Promise.resolve();
      },
    },
    1,
    { ...race, attempts: 3, exhausted: (l) => l as Error },
  );
  assert.deepEqual(ids, [3]);
  const done = await attachWithFreeSegmentationIds(
    {
      read: () => Promise.resolve({ used: [7], done: [7] }),
      add: () => Promise.reject(new Error()),
    },
    1,
    { ...race, attempts: 1, exhausted: (l) => l as Error },
  );
  assert.deepEqual(done, [7]);
});
