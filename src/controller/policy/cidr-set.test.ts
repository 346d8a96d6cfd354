import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidationError } from '../../common/errors/index.js';
import { normalizeCidr, parseCidr, subtract } from './cidr-set.js';

describe('subtract', () => {
  const cases: { name: string; cidr: string; excepts: string[]; want: string[] }[] = [
    { name: 'no excepts', cidr: '10.0.0.0/24', excepts: [], want: ['10.0.0.0/24'] },
    {
      name: 'one except in the middle',
      cidr: '10.0.0.0/24',
      excepts: ['10.0.0.64/26'],
      want: ['10.0.0.0/26', '10.0.0.128/25'],
    },
    {
      name: 'two disjoint excepts (the original gave the whole block back)',
      cidr: '10.0.0.0/24',
      excepts: ['10.0.0.0/26', '10.0.0.128/26'],
      want: ['10.0.0.64/26', '10.0.0.192/26'],
    },
    {
      name: 'nested excepts',
      cidr: '172.16.0.0/16',
      excepts: ['172.16.4.0/22', '172.16.5.0/24'],
      want: [
        '172.16.0.0/22',
        '172.16.8.0/21',
        '172.16.16.0/20',
        '172.16.32.0/19',
        '172.16.64.0/18',
        '172.16.128.0/17',
      ],
    },
    { name: 'except equal to the block', cidr: '10.1.0.0/16', excepts: ['10.1.0.0/16'], want: [] },
    { name: 'except covering the block', cidr: '10.1.2.0/24', excepts: ['10.0.0.0/8'], want: [] },
    {
      name: 'except outside the block',
      cidr: '10.0.0.0/24',
      excepts: ['192.168.0.0/16'],
      want: ['10.0.0.0/24'],
    },
    {
      name: 'except of the other family',
      cidr: '10.0.0.0/24',
      excepts: ['fd00::/8'],
      want: ['10.0.0.0/24'],
    },
    {
      name: 'single host out of a /30',
      cidr: '10.0.0.0/30',
      excepts: ['10.0.0.1/32'],
      want: ['10.0.0.0/32', '10.0.0.2/31'],
    },
    {
      name: 'host bits in the block are cleared',
      cidr: '10.0.0.77/24',
      excepts: ['10.0.0.128/25'],
      want: ['10.0.0.0/25'],
    },
    {
      name: 'whole IPv4 space minus private ranges',
      cidr: '0.0.0.0/0',
      excepts: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
      want: [
        '0.0.0.0/5',
        '8.0.0.0/7',
        '11.0.0.0/8',
        '12.0.0.0/6',
        '16.0.0.0/4',
        '32.0.0.0/3',
        '64.0.0.0/2',
        '128.0.0.0/3',
        '160.0.0.0/5',
        '168.0.0.0/6',
        '172.0.0.0/12',
        '172.32.0.0/11',
        '172.64.0.0/10',
        '172.128.0.0/9',
        '173.0.0.0/8',
        '174.0.0.0/7',
        '176.0.0.0/4',
        '192.0.0.0/9',
        '192.128.0.0/11',
        '192.160.0.0/13',
        '192.169.0.0/16',
        '192.170.0.0/15',
        '192.172.0.0/14',
        '192.176.0.0/12',
        '192.192.0.0/10',
        '193.0.0.0/8',
        '194.0.0.0/7',
        '196.0.0.0/6',
        '200.0.0.0/5',
        '208.0.0.0/4',
        '224.0.0.0/3',
      ],
    },
    {
      name: 'IPv6 two disjoint excepts',
      cidr: 'fd00:10::/64',
      excepts: ['fd00:10::/66', 'fd00:10:0:0:8000::/66'],
      want: ['fd00:10:0:0:4000::/66', 'fd00:10:0:0:c000::/66'],
    },
    {
      name: 'IPv6 nested excepts',
      cidr: '2001:db8::/32',
      excepts: ['2001:db8::/34', '2001:db8::/48'],
      want: ['2001:db8:4000::/34', '2001:db8:8000::/33'],
    },
    { name: 'IPv6 except equal', cidr: '2001:db8::/48', excepts: ['2001:DB8:0::/48'], want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(subtract(c.cidr, c.excepts).map(normalizeCidr), c.want.map(normalizeCidr));
    });
  }

  it('the pieces and the excepts partition the block exactly (address count)', () => {
    const size = (t: string) => 1n << BigInt((t.includes(':') ? 128 : 32) - parseCidr(t).prefixLen);
    const rest = subtract('10.0.0.0/20', ['10.0.1.0/24', '10.0.8.0/22', '10.0.9.0/25']);
    const total = rest.reduce((acc, t) => acc + size(t), 0n);
    assert.equal(total, 4096n - 256n - 1024n);
  });
});

describe('parseCidr / normalizeCidr', () => {
  it('canonical text for both families', () => {
    assert.equal(normalizeCidr('10.0.0.5/24'), '10.0.0.0/24');
    assert.equal(normalizeCidr('10.0.0.5'), '10.0.0.5/32');
    assert.equal(normalizeCidr('2001:DB8:0:0:1:0:0:1/128'), '2001:db8::1:0:0:1/128');
    assert.equal(normalizeCidr('fd00::abcd/128'), 'fd00::abcd/128');
    assert.equal(normalizeCidr('::/0'), '::/0');
    assert.equal(normalizeCidr('::ffff:10.0.0.1/128'), '::ffff:a00:1/128');
    assert.equal(normalizeCidr('1:2:3:4:5:6:7:8/128'), '1:2:3:4:5:6:7:8/128');
  });
  it('rejects garbage with a ValidationError', () => {
    for (const bad of [
      '',
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0/8',
      'x/8',
      '10.0.0.0/8/1',
      '10.0.0.0/-1',
    ]) {
      assert.throws(() => parseCidr(bad), isValidationError, bad);
    }
  });
});
