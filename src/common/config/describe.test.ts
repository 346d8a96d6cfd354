import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeConfig, formatValue, MASK } from './describe.js';
import { kuryrConfigSchema } from './schema/index.js';

test('describeConfig masks set secrets only and keeps schema order', () => {
  const config = kuryrConfigSchema.parse({ neutron: { password: 'pw', token: '' } });
  const sources = { neutron: { password: { kind: 'env' as const, name: 'OS_PASSWORD' } } };
  const rows = describeConfig({ config, sources });
  const pw = rows.find((r) => r.key === 'password')!;
  assert.deepEqual([pw.value, pw.source, pw.secret], [MASK, 'env OS_PASSWORD', true]);
  assert.equal(rows.find((r) => r.key === 'token')!.value, '');
  assert.equal(rows.find((r) => r.key === 'application_credential_secret')!.value, undefined);
  assert.equal(rows[0]!.section, 'DEFAULT');
  assert.deepEqual(
    describeConfig({ config, sources }, true).map((r) => r.key),
    ['password'],
  );
});

test('formatValue spells values as kuryr.conf does', () => {
  assert.equal(formatValue(undefined), '<None>');
  assert.equal(formatValue(['a', 'b']), 'a,b');
  assert.equal(formatValue({ a: 'x', b: 'y' }), 'a:x,b:y');
  assert.equal(formatValue(true), 'true');
  assert.equal(formatValue(5), '5');
});
