import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidationError } from '../../common/errors/index.js';
import {
  bufferToIp,
  ipToBuffer,
  macToBuffer,
  bufferToMac,
  parseCidr,
  parseLinkKind,
  vethLinkInfo,
} from './codec.js';

test('IP round trips, v6 compressed', () => {
  for (const ip of ['10.0.0.1', 'fd00::1', '::', '::1', '2001:db8::1:0:0:1', '1:2:3:4:5:6:7:8']) {
    assert.equal(bufferToIp(ipToBuffer(ip).bytes), ip);
  }
  assert.throws(() => ipToBuffer('10.0.0'), isValidationError);
});

test('CIDR and MAC parsing', () => {
  assert.deepEqual([parseCidr('default').prefixLen, parseCidr('default').family], [0, 4]);
  assert.equal(parseCidr('fd00::/64').prefixLen, 64);
  assert.throws(() => parseCidr('10.0.0.0/33'), isValidationError);
  assert.equal(bufferToMac(macToBuffer('FA:16:3e:00:00:01')), 'fa:16:3e:00:00:01');
  assert.throws(() => macToBuffer('fa:16'), isValidationError);
});

test('veth linkinfo carries the kind, and the peer name inside VETH_INFO_PEER', () => {
  const b = vethLinkInfo({ name: 'eth0', mtu: 1450, netnsFd: 7 });
  assert.equal(parseLinkKind(b), 'veth');
  assert.ok(b.includes(Buffer.from('eth0\0')));
  assert.equal(b.length % 4, 0);
});
