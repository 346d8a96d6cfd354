#!/usr/bin/env node
/**
 * @module `kuryr` — the operator CLI. Builds the commander program with the oslo-style global options and
 * registers each sub-command from src/cmd/commands/ (one import + one call per command).
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { registerConfigCommand } from './commands/config.js';
import { registerCniDaemonCommand } from './commands/cni-daemon.js';
import { registerStatusCommand } from './commands/status.js';
import { registerLibnetworkCommand } from './commands/libnetwork.js';

/** Version from package.json (src/cmd/ in development, dist/ when bundled). */
function version(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return (
        JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }
      ).version;
    } catch {
      // try the next layout
    }
  }
  return 'unknown';
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Build the `kuryr` program with every sub-command registered. */
function buildProgram(): Command {
  const program = new Command('kuryr')
    .description('OpenStack Kuryr: Neutron networking for containers')
    .version(version())
    .addOption(
      new Option(
        '--config-file <path>',
        'kuryr.conf to read (repeatable; default /etc/kuryr/kuryr.conf)',
      ).argParser(collect),
    )
    .addOption(
      new Option(
        '--config-dir <dir>',
        'directory whose *.conf files are read sorted (repeatable)',
      ).argParser(collect),
    )
    .option('--debug', 'log at debug level (overrides [DEFAULT] debug)')
    .showHelpAfterError();
  registerConfigCommand(program);
  registerCniDaemonCommand(program);
  registerStatusCommand(program);
  registerLibnetworkCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`kuryr: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
