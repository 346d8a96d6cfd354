import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CniCodedError } from '../cni-errors.js';
import { standaloneSpec } from './standalone-config.js';
import type { CniRequest } from './types.js';

const req = (config: Record<string, unknown>, args: [string, string][] = []): CniRequest => ({
  command: 'ADD',
  containerId: 'c',
  netns: '/run/netns/x',
  ifName: 'eth0',
  args: new Map(args),
  config: { name: 'kx', ...config },
  networkName: 'kx',
});

const code = (fn: () => unknown): number => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CniCodedError);
    return e.cniCode;
  }
  return 0;
};

test('network, subnets, security groups, project, pool and wait flags are read', () => {
  const s = standaloneSpec(
    req({
      network: 'n',
      subnet: 'a',
      subnets: ['b'],
      security_groups: 'sg',
      project: 'p',
      pool_size: 3,
      wait_active: true,
    }),
  );
  assert.deepEqual(s, {
    network: 'n',
    subnets: ['a', 'b'],
    securityGroups: ['sg'],
    project: 'p',
    ips: [],
    waitActive: true,
    poolSize: 3,
  });
});

test('capability args ips/mac and CNI_ARGS IP=/MAC= are merged (prefixes stripped, MAC lowercased)', () => {
  const s = standaloneSpec(
    req({ network: 'n', runtimeConfig: { ips: ['10.0.0.5/24'], mac: '0E:CC:00:00:00:01' } }),
  );
  assert.deepEqual([s.ips, s.mac], [['10.0.0.5'], '0e:cc:00:00:00:01']);
  const a = standaloneSpec(
    req({ network: 'n' }, [
      ['IP', '10.0.0.6'],
      ['MAC', '0e:cc:00:00:00:02'],
    ]),
  );
  assert.deepEqual([a.ips, a.mac], [['10.0.0.6'], '0e:cc:00:00:00:02']);
});

test('bad config is code 7, bad IP/MAC args code 4', () => {
  assert.equal(
    code(() => standaloneSpec(req({}))),
    7,
  );
  assert.equal(
    code(() => standaloneSpec(req({ network: 'n', pool_size: -1 }))),
    7,
  );
  assert.equal(
    code(() => standaloneSpec(req({ network: 'n', subnets: [1] }))),
    7,
  );
  assert.equal(
    code(() => standaloneSpec(req({ network: 'n' }, [['MAC', 'zz']]))),
    4,
  );
  assert.equal(
    code(() => standaloneSpec(req({ network: 'n' }, [['IP', 'not-an-ip']]))),
    4,
  );
});
