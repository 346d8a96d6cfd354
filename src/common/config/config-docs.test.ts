import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderConfigDocs } from './config-docs.js';
import { SECTIONS, type AnyOption } from './schema/index.js';

test('docs/configuration.md is up to date with the schema (npx tsx scripts/gen-config-docs.ts)', async () => {
  const committed = await readFile(
    new URL('../../../docs/configuration.md', import.meta.url),
    'utf8',
  );
  assert.equal(committed, renderConfigDocs());
});

test('every option of every section is documented', () => {
  const text = renderConfigDocs();
  for (const s of SECTIONS) {
    assert.ok(text.includes(`### [${s.group}]`), s.group);
    for (const o of s.options as readonly AnyOption[])
      assert.ok(text.includes(`| \`${o.meta.name}\` |`), o.meta.name);
  }
});
