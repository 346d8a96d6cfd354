/**
 * `kuryr controller` as operators run it, against the real kube-apiserver: kuryr.conf → HA Lease in the
 * given namespace, /ready and /metrics on [health_server] port, Lease released on SIGTERM; unknown or
 * not-yet-implemented handler aliases refuse to start with the list of valid and implemented aliases.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { connectKube, createNamespace, deleteNamespace, waitFor } from './kube-env.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const KURYR = ['--import', 'tsx', join(ROOT, 'src/cmd/kuryr.ts')];
let api: KubeClient;
let ns: string;
let kubeconfig: string;
const dir = mkdtempSync(join(tmpdir(), 'kk-cli-'));

before(async () => {
  api = await connectKube();
  ns = await createNamespace(api, 'cli');
  kubeconfig = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';
});
after(async () => deleteNamespace(api, ns));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function conf(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

test('unknown and unimplemented handler aliases fail at start with a clear message', () => {
  const bad = conf('bad.conf', '[kubernetes]\nenabled_handlers = vif,bogus\n');
  const r1 = spawnSync(
    process.execPath,
    [...KURYR, '--config-file', bad, 'controller', '--kubeconfig', kubeconfig],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.notEqual(r1.status, 0);
  assert.match(r1.stderr, /unknown handler\(s\) bogus; valid: vif, kuryrport, namespace/);
  const dflt = conf('default.conf', '[DEFAULT]\n');
  const r2 = spawnSync(
    process.execPath,
    [...KURYR, '--config-file', dflt, 'controller', '--kubeconfig', kubeconfig],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.notEqual(r2.status, 0);
  // every default handler is implemented now: the default config stops at the missing credentials
  assert.match(r2.stderr, /no OpenStack credentials configured/);
});

test('controller_ha: takes the Lease, serves /ready and /metrics, releases the Lease on SIGTERM', async () => {
  const port = await freePort();
  const file = conf(
    'ha.conf',
    `[kubernetes]\nenabled_handlers =\ncontroller_ha = True\n[health_server]\nport = ${port}\n[prometheus_exporter]\ncontroller_exporter_port = ${port}\n`,
  );
  const child = spawn(
    process.execPath,
    [
      ...KURYR,
      '--config-file',
      file,
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--lease-namespace',
      ns,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const lease = await waitFor(
      'Lease held',
      async () => {
        const l = await api.get(KINDS.lease, 'kuryr-controller', ns).catch(() => undefined);
        return l?.spec?.holderIdentity ? l : undefined;
      },
      90_000,
    );
    assert.ok(lease.spec?.holderIdentity);
    await waitFor(
      'ready',
      async () =>
        (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.status === 200,
      30_000,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /kuryr_controller_queue_depth 0/);
    assert.match(metrics, /process_cpu_seconds_total/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output);
  assert.match(output, /became leader/);
  const released = await api.get(KINDS.lease, 'kuryr-controller', ns);
  assert.equal(released.spec?.holderIdentity ?? null, null, 'released on SIGTERM');
});
