import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allocationPools,
  bigToIp,
  firstHost,
  formatCidr,
  freeBlock,
  ipToBig,
  parseCidr,
} from './cidr.js';

test('parses and formats v4 and v6 prefixes canonically', () => {
  assert.equal(formatCidr(parseCidr('10.1.2.3/24')), '10.1.2.0/24');
  assert.equal(formatCidr(parseCidr('fd00:0:0:1::5/64')), 'fd00:0:0:1::/64');
  assert.equal(bigToIp(ipToBig('::ffff:1.2.3.4').value, 6), '::ffff:102:304');
  assert.throws(() => parseCidr('10.0.0.0/33'));
  assert.throws(() => parseCidr('nope/24'));
});

test('first host and free blocks skip used prefixes', () => {
  assert.equal(firstHost(parseCidr('10.0.0.0/24')), '10.0.0.1');
  assert.equal(firstHost(parseCidr('fd00::/64')), 'fd00::1');
  const used = ['10.0.0.0/24', '10.0.1.0/25'].map(parseCidr);
  assert.equal(formatCidr(freeBlock([parseCidr('10.0.0.0/16')], 24, used)!), '10.0.2.0/24');
  const v6 = freeBlock([parseCidr('fd00::/32')], 64, [parseCidr('fd00::/48')]);
  assert.equal(formatCidr(v6!), 'fd00:0:1::/64');
  assert.equal(freeBlock([parseCidr('10.0.0.0/24')], 24, [parseCidr('10.0.0.0/16')]), undefined);
});

test('allocation pools honour the range and reserved addresses', () => {
  assert.deepEqual(allocationPools(parseCidr('10.0.0.0/24'), ['10.0.0.1', '10.0.0.10']), [
    { start: '10.0.0.2', end: '10.0.0.9' },
    { start: '10.0.0.11', end: '10.0.0.254' },
  ]);
  assert.deepEqual(
    allocationPools(parseCidr('10.0.0.0/24'), ['10.0.0.1'], parseCidr('10.0.0.128/25')),
    [{ start: '10.0.0.128', end: '10.0.0.254' }],
  );
});
