import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { isValidationError } from '../../common/errors/index.js';
import { shouldApply, withApplyFlags, type ApplyFlags } from './apply-flag.js';

function parse(...argv: string[]): ApplyFlags {
  const cmd = withApplyFlags(new Command('gc')).exitOverride();
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<ApplyFlags>();
}

test('a dry run is the default, --dry-run says so, --apply deletes', () => {
  assert.equal(shouldApply(parse()), false);
  assert.equal(shouldApply(parse('--dry-run')), false);
  assert.equal(shouldApply(parse('--apply')), true);
});

test('--apply together with --dry-run is refused', () => {
  assert.throws(() => shouldApply(parse('--apply', '--dry-run')), isValidationError);
});
