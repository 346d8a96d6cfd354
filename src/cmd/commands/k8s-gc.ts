/**
 * @module `kuryr k8s-gc [--apply | --dry-run] [--json] [--grace <s>] [--kubeconfig <path>]`: lists (and with --apply
 * deletes) Neutron ports and namespace networks Kuryr made for pods/namespaces that no longer exist in
 * Kubernetes (src/controller/gc.ts). Dry run by default. Scoped by `[neutron_defaults] resource_tags`.
 * With `[kubernetes] pod_vif_driver` nested-vlan / nested-macvlan, orphaned subports are detached from
 * their trunk and macvlan pairs removed from the node VM ports (found through the Nodes' IPs) first.
 */
import type { Command } from 'commander';
import { snakeSection } from '../../common/config/schema/index.js';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root
import { KubernetesOrphanCollector } from '../../controller/gc.js';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root
import { NestedOrphanReleaser } from '../../controller/nested-orphans.js';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root
import { NamespaceSubnetsDriver } from '../../controller/drivers/subnets/namespace.js';
import { NeutronClient } from '../../openstack/neutron/index.js';
import { connectionOptionsFromKeystoneauth } from '../../openstack/session-keystoneauth.js';
import { createOpenStackSession } from '../../openstack/session.js';
import { shouldApply, withApplyFlags, type ApplyFlags } from './apply-flag.js';
import { loadCommandConfig } from './load-config.js';

interface K8sGcFlags extends ApplyFlags {
  json?: boolean;
  grace: string;
  kubeconfig?: string;
}

async function run(flags: K8sGcFlags, cmd: Command): Promise<void> {
  const apply = shouldApply(flags);
  const { config, log } = await loadCommandConfig(cmd, { name: 'kuryr-k8s-gc' });
  const graceSeconds = Number(flags.grace);
  if (!Number.isFinite(graceSeconds) || graceSeconds < 0) {
    throw new Error(`--grace '${flags.grace}' is not a number of seconds`);
  }
  // NOTE: loaded lazily: client-node costs ~1 s of CPU to import (see commands/controller.ts).
  const [{ KubeClient }, kcm, { KINDS }] = await Promise.all([
    import('../../k8s/client.js'),
    import('../../k8s/kube-config.js'),
    import('../../k8s/kinds.js'),
  ]);
  const kc = flags.kubeconfig
    ? kcm.kubeConfigFromFile(flags.kubeconfig)
    : kcm.kubeConfigFromOptions(config.kubernetes);
  const api = new KubeClient(kc, { timeoutMs: 30_000 });
  const uids = async (list: Promise<{ items: { metadata?: { uid?: string } }[] }>) =>
    new Set((await list).items.map((o) => o.metadata?.uid ?? '').filter(Boolean));
  // Kubernetes first: an object created after this list is younger than the grace period.
  const owners = {
    livePodUids: await uids(api.list(KINDS.pod)),
    liveNamespaceUids: await uids(api.list(KINDS.namespace)),
    // nested drivers: the Nodes' IPs lead to the VM ports holding macvlan pairs
    nodeIps: new Set(
      /^nested-/.test(config.kubernetes.podVifDriver)
        ? (await api.list(KINDS.node)).items.flatMap((n) => internalIps(n.status))
        : [],
    ),
  };
  const session = createOpenStackSession(
    connectionOptionsFromKeystoneauth(snakeSection(config, 'neutron')),
    log,
  );
  try {
    const neutron = new NeutronClient(session.client('network'));
    const ns = config.namespaceSubnet;
    const subnets =
      ns.podRouter && ns.podSubnetPool
        ? new NamespaceSubnetsDriver(neutron, log, {
            routerId: ns.podRouter,
            subnetPoolId: ns.podSubnetPool,
          })
        : undefined;
    const nested = new NestedOrphanReleaser(neutron, log, {
      driver: config.kubernetes.podVifDriver,
      workerSubnets: config.podVifNested.workerNodesSubnets,
      revUpdateAttempts: config.podVifNested.revUpdateAttempts,
    });
    const gc = new KubernetesOrphanCollector(neutron, log, {
      ...(nested.nested ? { nested } : {}),
      resourceTags: config.neutronDefaults.resourceTags,
      graceSeconds,
      ...(subnets
        ? { deleteNetwork: (netId: string) => subnets.deleteNamespaceNetwork({ netId }) }
        : {}),
    });
    const result = await gc.collect(owners, { dryRun: !apply });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ apply, ...result })}\n`);
      return;
    }
    for (const o of result.orphans) {
      process.stdout.write(
        `${o.kind}\t${o.id}\towner=${o.ownerUid}\t${o.expired ? 'expired' : 'in-grace'}\t${o.name}\n`,
      );
    }
    process.stdout.write(
      apply
        ? `deleted ${result.deleted.length} of ${result.orphans.length} orphan(s)` +
            `${result.failed.length ? `, ${result.failed.length} failed` : ''}\n`
        : `${result.orphans.length} orphan(s); dry run, pass --apply to delete\n`,
    );
    if (result.failed.length > 0) process.exitCode = 1;
  } finally {
    await session.close();
  }
}

/** The `InternalIP` addresses of a Node's status. */
function internalIps(status: unknown): string[] {
  const addresses = (status as { addresses?: { type?: string; address?: string }[] } | undefined)
    ?.addresses;
  return (addresses ?? []).flatMap((a) =>
    a.type === 'InternalIP' && a.address ? [a.address] : [],
  );
}

/** Registers `k8s-gc` on the `kuryr` program. */
export function registerK8sGcCommand(program: Command): void {
  withApplyFlags(program.command('k8s-gc'))
    .description('list (and with --apply delete) Neutron objects of deleted pods/namespaces')
    .option('--json', 'print the result as JSON', false)
    .option('--grace <seconds>', 'only delete objects older than this', '600')
    .option('--kubeconfig <path>', 'use a kubeconfig file instead of [kubernetes] api_root/ssl_*')
    .action(run);
}
