import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertIfName,
  containerVethName,
  hostVethName,
  hybridBridgeName,
  hybridBridgeVethName,
  hybridOvsVethName,
  linuxBridgeName,
} from './naming.js';
import { isValidationError } from './errors/index.js';

const PORT = '6f1d2a0b-4c3e-4b8a-9d2e-0a1b2c3d4e5f';

test('names match kuryr-lib and the L2 agents (prefix + id[:11], 14 chars)', () => {
  assert.equal(hostVethName(PORT), 'tap6f1d2a0b-4c');
  assert.equal(containerVethName(PORT), 't_c6f1d2a0b-4c');
  assert.equal(linuxBridgeName('0b7c1234-aaaa-bbbb'), 'brq0b7c1234-aa');
  assert.equal(hybridBridgeName(PORT), 'qbr6f1d2a0b-4c');
  assert.equal(hybridBridgeVethName(PORT), 'qvb6f1d2a0b-4c');
  assert.equal(hybridOvsVethName(PORT), 'qvo6f1d2a0b-4c');
  assert.equal(hostVethName(PORT).length, 14);
});

test('short ids are kept whole; empty ids and bad names are refused', () => {
  assert.equal(hostVethName('abc'), 'tapabc');
  assert.throws(() => hostVethName(''), isValidationError);
  assert.throws(() => assertIfName('a'.repeat(15)), isValidationError);
  assert.throws(() => assertIfName('a/b'), isValidationError);
  assertIfName('eth0');
});
