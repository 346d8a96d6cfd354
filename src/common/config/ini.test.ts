import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../errors/index.js';
import { normalizeSectionName, parseIni } from './ini.js';

const F = '/etc/kuryr/kuryr.conf';
const get = (text: string, section: string, key: string) =>
  parseIni(text, F)
    .get(section)
    ?.get(key)
    ?.map((v) => v.value);

describe('parseIni', () => {
  test('key = value and key: value', () => {
    const doc = parseIni('[DEFAULT]\na = 1\nb: 2\nc=3\nd:4\n', F);
    const d = doc.get('DEFAULT')!;
    assert.deepEqual(
      [...d.entries()].map(([k, v]) => [k, v[0]!.value]),
      [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
        ['d', '4'],
      ],
    );
  });

  test('the first of = and : splits the line', () => {
    assert.deepEqual(get('[s]\nurl = http://h:1/x\n', 's', 'url'), ['http://h:1/x']);
    assert.deepEqual(get('[s]\nmap: a=b\n', 's', 'map'), ['a=b']);
    assert.deepEqual(get('[s]\nsubnet_mapping = a:b,c:d\n', 's', 'subnet_mapping'), ['a:b,c:d']);
  });

  test('no inline comments: ; and # stay in the value', () => {
    assert.deepEqual(get('[neutron]\npassword = se=cr;et#1\n', 'neutron', 'password'), [
      'se=cr;et#1',
    ]);
    assert.deepEqual(get('[s]\nk = v # not a comment\n', 's', 'k'), ['v # not a comment']);
  });

  test('# and ; at line start are comments', () => {
    const doc = parseIni('# top\n; also\n[s]\n#k = 1\n;j = 2\nx = 3\n', F);
    assert.deepEqual([...doc.get('s')!.keys()], ['x']);
  });

  test('indented lines continue the value, joined with \\n', () => {
    assert.deepEqual(get('[s]\nk = a\n  b\n\tc\nnext = 1\n', 's', 'k'), ['a\nb\nc']);
  });

  test('empty first line of a continued value is kept (oslo)', () => {
    assert.deepEqual(get('[s]\nk =\n    x\n    y\n', 's', 'k'), ['\nx\ny']);
  });

  test('a blank line ends a continued value; a later indented line is an error', () => {
    assert.throws(() => parseIni('[s]\nk = a\n\n  b\n', F), /:4: Unexpected continuation line/);
  });

  test('a comment line ends a continued value', () => {
    assert.deepEqual(get('[s]\nk = a\n# c\nj = b\n', 's', 'k'), ['a']);
  });

  test('repeated keys are all kept in order', () => {
    assert.deepEqual(get('[s]\nk = 1\nk = 2\nk: 3\n', 's', 'k'), ['1', '2', '3']);
  });

  test('repeated sections merge', () => {
    const doc = parseIni('[s]\na = 1\n[t]\nb = 2\n[s]\nc = 3\n', F);
    assert.deepEqual([...doc.get('s')!.keys()], ['a', 'c']);
  });

  test('surrounding quotes are stripped, inner and mismatched ones kept', () => {
    assert.deepEqual(get('[s]\nk = "a b"\n', 's', 'k'), ['a b']);
    assert.deepEqual(get("[s]\nk = 'a'\n", 's', 'k'), ['a']);
    assert.deepEqual(get('[s]\nk = "a\'\n', 's', 'k'), ['"a\'']);
    assert.deepEqual(get('[s]\nk = a "b" c\n', 's', 'k'), ['a "b" c']);
    assert.deepEqual(get('[s]\nk = ""\n', 's', 'k'), ['']);
  });

  test('keys and values are trimmed; empty values allowed', () => {
    assert.deepEqual(get('[s]\n  \nk   =    v  \nempty =\n', 's', 'k'), ['v']);
    assert.deepEqual(get('[s]\nempty =\n', 's', 'empty'), ['']);
  });

  test('every value remembers file:line of its key', () => {
    const v = parseIni('# c\n[s]\n\nk = a\n  b\nj = 2\n', F).get('s')!;
    assert.deepEqual(v.get('k'), [{ value: 'a\nb', file: F, line: 4 }]);
    assert.equal(v.get('j')![0]!.line, 6);
  });

  test('CRLF line endings and a BOM are accepted', () => {
    assert.deepEqual(get('\uFEFF[s]\r\nk = v\r\n', 's', 'k'), ['v']);
  });

  test('group names: DEFAULT kept, others lower-cased (oslo)', () => {
    assert.equal(normalizeSectionName('DEFAULT'), 'DEFAULT');
    assert.equal(normalizeSectionName('Neutron'), 'neutron');
    assert.equal(normalizeSectionName('default'), 'default');
    assert.deepEqual(get('[Neutron]\nk = v\n', 'neutron', 'k'), ['v']);
  });

  const errors: Array<[string, string, RegExp]> = [
    ['assignment before any section', 'k = v\n', /:1: Section must be started before assignment/],
    ['section without ]', '[s\n', /:1: Invalid section \(must end with \]\)/],
    ['empty section name', '[]\n', /:1: Empty section name/],
    ['line without = or :', '[s]\njunk\n', /:2: No = or : found in assignment/],
    ['empty key', '[s]\n= v\n', /:2: Key cannot be empty/],
    ['continuation at start', '  x\n', /:1: Unexpected continuation line/],
  ];
  for (const [name, text, re] of errors) {
    test(`error: ${name}, with file:line`, () => {
      assert.throws(
        () => parseIni(text, F),
        (err: unknown) =>
          err instanceof ConfigurationError && re.test(err.message) && err.message.startsWith(F),
      );
    });
  }

  test('empty file parses to nothing', () => {
    assert.equal(parseIni('', F).size, 0);
    assert.equal(parseIni('\n# only comments\n', F).size, 0);
  });
});
