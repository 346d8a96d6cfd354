/**
 * Integration: `kuryr k8s-gc` run as a child process (the real CLI) against the REAL kube-apiserver and
 * Neutron: an orphaned pod port (pod UID not in the cluster) is listed by the dry run and deleted by
 * `--apply`; scoped by `[neutron_defaults] resource_tags` = this suite's prefix.
 *
 * @module test/integration/controller/k8s-gc-cli.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { PodSubnet } from '../../../src/controller/drivers/pod-vif/types.js';
import { connectKube } from '../k8s/kube-env.js';
import { makePodNetwork, openControllerBed, type ControllerBed } from './controller-bed.js';

const KUBECONFIG = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';

describe('kuryr k8s-gc against the real apiserver and Neutron', () => {
  let bed: ControllerBed;
  let pod: PodSubnet;
  const dir = mkdtempSync(join(tmpdir(), 'kd-gc-'));

  function kuryr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const e = bed.env;
    const conf = join(dir, 'kuryr.conf');
    writeFileSync(
      conf,
      `[neutron]\nauth_type = password\nauth_url = ${e.authUrl}\nusername = ${e.adminUser.username}\n` +
        `password = ${e.adminUser.password}\nproject_name = ${e.adminUser.projectName}\n` +
        `user_domain_name = ${e.userDomainName}\nproject_domain_name = ${e.projectDomainName}\n` +
        `region_name = ${e.region}\n[neutron_defaults]\nresource_tags = ${bed.prefix}\n`,
      { mode: 0o600 },
    );
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cmd/kuryr.ts', '--config-file', conf, 'k8s-gc', ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 120_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  before(async () => {
    await connectKube(KUBECONFIG); // fails clearly when the apiserver is missing
    bed = await openControllerBed('kd-gcc');
    pod = await makePodNetwork(bed, 'pods', '10.239.1.0/24');
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('--dry-run lists the orphan, --apply deletes it, both at once are refused', async () => {
    const orphan = await bed.neutron.ports.createTagged(
      {
        network_id: pod.network.id,
        device_owner: 'compute:kuryr',
        device_id: randomUUID(),
        name: `${bed.prefix}-orphan`,
      },
      [bed.prefix],
    );
    bed.cleanup.push(`port ${orphan.id}`, () => bed.neutron.ports.delete(orphan.id));
    const args = ['--json', '--grace', '0', '--kubeconfig', KUBECONFIG];
    const contradiction = await kuryr(...args, '--apply', '--dry-run');
    assert.notEqual(contradiction.code, 0);
    assert.match(contradiction.stderr, /--apply and --dry-run/);
    await bed.neutron.ports.get(orphan.id); // refused before anything was deleted
    const dry = await kuryr(...args, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    const listed = JSON.parse(dry.stdout) as { orphans: { id: string }[]; deleted: string[] };
    assert.deepEqual(
      listed.orphans.map((o) => o.id),
      [orphan.id],
    );
    assert.deepEqual(listed.deleted, []);
    await bed.neutron.ports.get(orphan.id);

    const real = await kuryr(...args, '--apply');
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual((JSON.parse(real.stdout) as { deleted: string[] }).deleted, [orphan.id]);
    await assert.rejects(bed.neutron.ports.get(orphan.id), (e: unknown) => isNotFoundError(e));
  });
});
