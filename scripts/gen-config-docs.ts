/**
 * @module Writes docs/configuration.md from the kuryr.conf schema: `npx tsx scripts/gen-config-docs.ts`.
 * `--check` exits 1 when the committed file is out of date (the unit test does the same).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderConfigDocs } from '../src/common/config/config-docs.js';

const target = new URL('../docs/configuration.md', import.meta.url);
const text = renderConfigDocs();
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write(
      'docs/configuration.md is out of date: run npx tsx scripts/gen-config-docs.ts\n',
    );
    process.exitCode = 1;
  }
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
