/**
 * @module `kuryr gc [--apply | --dry-run] [--json] [--grace <seconds>]`: lists kuryr-made Neutron ports of this host
 * (`[DEFAULT] host`) that nothing owns — free pooled ports and untagged ports left by a crash — and deletes
 * them with `--apply` (dry run by default, ARCHITECTURE.md). Run it with `kuryr libnetwork` stopped when the
 * port pool is enabled: a running plugin still counts its free pooled ports as available.
 */
import type { Command } from 'commander';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root
import { collectLibnetworkGarbage } from '../../libnetwork/port-pool-gc.js';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root
import { RestLibnetworkNeutron } from '../../libnetwork/neutron-rest.js';
import { snakeSection } from '../../common/config/schema/index.js';
import { connectionOptionsFromKeystoneauth } from '../../openstack/session-keystoneauth.js';
import { createOpenStackSession } from '../../openstack/session.js';
import { shouldApply, withApplyFlags, type ApplyFlags } from './apply-flag.js';
import { loadCommandConfig } from './load-config.js';

interface GcFlags extends ApplyFlags {
  json?: boolean;
  grace: string;
}

async function run(flags: GcFlags, cmd: Command): Promise<void> {
  const apply = shouldApply(flags);
  const { config, log } = await loadCommandConfig(cmd, { name: 'kuryr-gc' });
  const graceMs = Math.round(Number(flags.grace) * 1000);
  if (!Number.isFinite(graceMs) || graceMs < 0) {
    throw new Error(`--grace '${flags.grace}' is not a number of seconds`);
  }
  const session = createOpenStackSession(
    connectionOptionsFromKeystoneauth(snakeSection(config, 'neutron')),
    log,
  );
  try {
    const result = await collectLibnetworkGarbage(
      new RestLibnetworkNeutron(session.client('network')),
      { host: config.default.host, apply, graceMs },
    );
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ apply, ...result })}\n`);
      return;
    }
    for (const i of result.items) {
      process.stdout.write(`${i.kind}\t${i.id}\t${i.reason}\t${i.name}\tnetwork=${i.networkId}\n`);
    }
    process.stdout.write(
      apply
        ? `deleted ${result.deleted} of ${result.items.length} orphan(s)\n`
        : `${result.items.length} orphan(s); dry run, pass --apply to delete\n`,
    );
  } finally {
    await session.close();
  }
}

/** Registers `gc` on the `kuryr` program. */
export function registerGcCommand(program: Command): void {
  withApplyFlags(program.command('gc'))
    .description(
      "list (and with --apply delete) this host's orphaned Docker/CNI kuryr ports (Kubernetes pods: k8s-gc)",
    )
    .option('--json', 'print JSON', false)
    .option('--grace <seconds>', 'minimum age of an untagged port before it is an orphan', '600')
    .action(run);
}
