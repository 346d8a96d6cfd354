/**
 * `kuryr controller` with the `service` and `endpoints` handlers, as operators run it: the service spec
 * settings are checked at start-up, before anything is watched or written, with the kuryr.conf key in
 * the message. (The handlers' behaviour on the real API server is service-handlers.test.ts: a real
 * controller process would act on every Service of the shared test cluster.)
 *
 * @module test/integration/services/controller-services-cli.test
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { connectKube } from '../k8s/kube-env.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const KURYR = ['--import', 'tsx', join(ROOT, 'src/cmd/kuryr.ts')];
const dir = mkdtempSync(join(tmpdir(), 'kf2-cli-'));
let kubeconfig: string;

before(async () => {
  await connectKube(); // fails with a clear message when the bed's API server is missing
  kubeconfig = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';
});

function runController(extra: string): { status: number | null; stderr: string } {
  const file = join(dir, `k${Math.random().toString(16).slice(2)}.conf`);
  writeFileSync(
    file,
    [
      '[kubernetes]',
      'enabled_handlers = service,endpoints',
      extra,
      '[neutron]',
      'auth_type = password',
      'auth_url = http://127.0.0.1:9/v3',
      'username = kf2',
      'password = kf2',
      'project_name = kf2',
      'user_domain_name = Default',
      'project_domain_name = Default',
      '[neutron_defaults]',
      'project = kf2-project',
      'pod_subnet = kf2-subnet',
      'pod_security_groups = kf2-sg',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const r = spawnSync(
    process.execPath,
    [...KURYR, '--config-file', file, 'controller', '--kubeconfig', kubeconfig],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return { status: r.status, stderr: r.stderr };
}

test('service/endpoints without [neutron_defaults] service_subnet refuse to start', () => {
  const r = runController('');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /\[neutron_defaults\] service_subnet is not set/);
});

test('service_subnets_driver other than default refuses to start', () => {
  const r = runController('service_subnets_driver = namespace');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /service_subnets_driver 'namespace' is not supported/);
});
