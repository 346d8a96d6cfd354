#!/usr/bin/env node
/**
 * @module `kuryr` — the operator CLI. Builds the commander program with the oslo-style global options and
 * registers each sub-command from src/cmd/commands/ (one import + one call per command).
 */
import { Command } from 'commander';
import { registerConfigCommand } from './commands/config.js';
import { addGlobalOptions } from './commands/load-config.js';
import { registerCniDaemonCommand } from './commands/cni-daemon.js';
import { registerStatusCommand } from './commands/status.js';
import { registerLibnetworkCommand } from './commands/libnetwork.js';
import { registerControllerCommand } from './commands/controller.js';
import { registerGcCommand } from './commands/gc.js';
import { registerK8sGcCommand } from './commands/k8s-gc.js';
import { registerPoolsCommand } from './commands/pools.js';

/** Build the `kuryr` program with every sub-command registered. */
function buildProgram(): Command {
  const program = addGlobalOptions(
    new Command('kuryr').description('OpenStack Kuryr: Neutron networking for containers'),
  ).showHelpAfterError();
  registerConfigCommand(program);
  registerCniDaemonCommand(program);
  registerStatusCommand(program);
  registerLibnetworkCommand(program);
  registerControllerCommand(program);
  registerGcCommand(program);
  registerK8sGcCommand(program);
  registerPoolsCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`kuryr: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
