/**
 * @module The `--apply` / `--dry-run` pair of the cleanup commands (`kuryr gc`, `kuryr k8s-gc`): a dry run
 * is the default, `--dry-run` says so explicitly (scripts, and the spelling issue #6 documents), and both
 * at once are refused before anything is listed or deleted.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../common/errors/index.js';

/** The two flags as commander parses them. */
export interface ApplyFlags {
  apply?: boolean;
  dryRun?: boolean;
}

/** Adds `--apply` and `--dry-run` to a cleanup command. */
export function withApplyFlags(cmd: Command): Command {
  return cmd
    .option('--apply', 'delete what is listed (default: dry run)', false)
    .option('--dry-run', 'only list (the default; refused together with --apply)', false);
}

/** True when the command should delete. @throws ValidationError for `--apply --dry-run`. */
export function shouldApply(flags: ApplyFlags): boolean {
  if (flags.apply === true && flags.dryRun === true) {
    throw new ValidationError('--apply and --dry-run contradict each other; pass one of them');
  }
  return flags.apply === true;
}
