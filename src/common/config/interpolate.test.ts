import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../errors/index.js';
import { InterpolationError, interpolate, substituteSettings } from './interpolate.js';
import { settingId, type RawSetting } from './source.js';

const values: Record<string, string> = {
  'DEFAULT/bindir': '/usr/libexec/kuryr',
  'neutron/region_name': 'R1',
  'DEFAULT/host': 'node-1',
};
const lookup = (g: string, n: string) => values[`${g}/${n}`];

describe('interpolate (oslo.config substitution)', () => {
  test('$opt, ${opt}, $group.opt, fallback to DEFAULT', () => {
    assert.equal(interpolate('$bindir/x', 'DEFAULT', lookup), '/usr/libexec/kuryr/x');
    assert.equal(interpolate('${bindir}x', 'DEFAULT', lookup), '/usr/libexec/kuryrx');
    assert.equal(interpolate('$neutron.region_name-a', 'DEFAULT', lookup), 'R1-a');
    assert.equal(interpolate('$region_name', 'neutron', lookup), 'R1');
    assert.equal(interpolate('$host', 'neutron', lookup), 'node-1');
  });

  test('$$ and \\$ are a literal $; a $ not followed by a name stays', () => {
    assert.equal(interpolate('pa$$word', 'neutron', lookup), 'pa$word');
    assert.equal(interpolate('pa\\$word', 'neutron', lookup), 'pa$word');
    assert.equal(interpolate('cost $5 and $ alone', 'neutron', lookup), 'cost $5 and $ alone');
    assert.equal(interpolate('no dollar', 'neutron', lookup), 'no dollar');
  });

  test('an unknown name is an error (oslo NoSuchOptError)', () => {
    assert.throws(() => interpolate('pa$word', 'neutron', lookup), InterpolationError);
  });

  test('substituteSettings: files and oslo env only; references resolve recursively; defaults used', () => {
    const file = (line: number) => ({ kind: 'file' as const, file: '/k.conf', line });
    const settings = new Map<string, RawSetting>([
      [settingId('DEFAULT', 'log_dir'), { value: '$bindir/log', source: file(1) }],
      [settingId('DEFAULT', 'log_file'), { value: '$log_dir/k.log', source: file(2) }],
      [settingId('neutron', 'password'), { value: 'a$$b', source: file(3) }],
      [settingId('neutron', 'token'), { value: 'x$$y', source: { kind: 'env', name: 'OS_TOKEN' } }],
      [
        settingId('neutron', 'username'),
        { value: 'u$$', source: { kind: 'env', name: 'OS_NEUTRON__USERNAME' } },
      ],
      [settingId('DEFAULT', 'debug'), { value: true, source: { kind: 'cli', flag: '--debug' } }],
      [settingId('neutron', 'region_name'), { value: '$debug', source: file(4) }],
    ]);
    substituteSettings(settings);
    const v = (g: string, n: string) => settings.get(settingId(g, n))!.value;
    assert.equal(v('DEFAULT', 'log_dir'), '/usr/libexec/kuryr/log');
    assert.equal(v('DEFAULT', 'log_file'), '/usr/libexec/kuryr/log/k.log');
    assert.equal(v('neutron', 'password'), 'a$b');
    assert.equal(v('neutron', 'token'), 'x$$y', 'openrc values are literal');
    assert.equal(v('neutron', 'username'), 'u$');
    assert.equal(v('neutron', 'region_name'), 'True', 'typed values as Python str()');
  });

  test('substituteSettings reports origin and key; cycles are errors', () => {
    const settings = new Map<string, RawSetting>([
      [
        settingId('neutron', 'password'),
        { value: 'pa$word', source: { kind: 'file', file: '/k.conf', line: 7 } },
      ],
    ]);
    assert.throws(
      () => substituteSettings(settings),
      (err: unknown) => {
        assert.ok(err instanceof ConfigurationError);
        assert.match(
          err.message,
          /\/k\.conf:7: \[neutron\] password: substitution failed: no such option \$word/,
        );
        assert.ok(!err.message.includes('pa$word'), 'value not echoed');
        return true;
      },
    );
    const cyc = new Map<string, RawSetting>([
      [
        settingId('DEFAULT', 'log_dir'),
        { value: '$log_file', source: { kind: 'file', file: '/k.conf', line: 1 } },
      ],
      [
        settingId('DEFAULT', 'log_file'),
        { value: '$log_dir', source: { kind: 'file', file: '/k.conf', line: 2 } },
      ],
    ]);
    assert.throws(() => substituteSettings(cyc), /nested too deeply/);
  });
});
