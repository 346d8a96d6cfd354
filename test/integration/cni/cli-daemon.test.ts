/**
 * `kuryr cni-daemon` as an operator runs it: a real process reading a kuryr.conf (credentials of the REAL
 * test-bed Keystone/Neutron), serving kuryr-cni on a 0600 unix socket, Python Kuryr's /addNetwork and
 * /delNetwork on [cni_daemon] bind_address, /alive, /ready and /metrics; stopping cleanly on SIGTERM.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { buildCni, ROOT, runCni } from './cni-harness.js';
import { KubeRest } from './kube-rest.js';

const os = requireOpenStackEnv();
const kube = KubeRest.fromBed();
const KP = '/apis/openstack.org/v1/namespaces/default/kuryrports';
const prefix = testPrefix('kx');
const dir = `/tmp/${prefix}-cli`;
const socket = `${dir}/run/cni.sock`;
const base = 20000 + (parseInt(prefix.slice(3, 7), 16) % 20000);
const [apiPort, healthPort, metricsPort] = [base, base + 1, base + 2];
let child: ChildProcess;
let exited: Promise<number | null>;

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const post = (path: string, body: unknown) =>
  fetch(`http://127.0.0.1:${apiPort}${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('kuryr cni-daemon (CLI)', () => {
  before(async () => {
    buildCni();
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'kuryr.conf');
    writeFileSync(
      conf,
      [
        '[DEFAULT]',
        `host = ${os.bindingHost}`,
        '[neutron]',
        'auth_type = password',
        `auth_url = ${os.authUrl}`,
        `username = ${os.adminUser.username}`,
        `password = ${os.adminUser.password}`,
        `project_name = ${os.adminUser.projectName}`,
        `user_domain_name = ${os.userDomainName}`,
        `project_domain_name = ${os.projectDomainName}`,
        '[cni_daemon]',
        `bind_address = 127.0.0.1:${apiPort}`,
        'vif_annotation_timeout = 2',
        '[cni_health_server]',
        `port = ${healthPort}`,
        '[prometheus_exporter]',
        `cni_exporter_port = ${metricsPort}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    child = spawn(
      'node',
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cmd/kuryr.ts'),
        '--config-file',
        conf,
        'cni-daemon',
        '--socket',
        socket,
        '--kubernetes',
        '--kubeconfig',
        '/tmp/kuryr-kube/kubeconfig',
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    exited = new Promise((r) => child.on('exit', (code) => r(code)));
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${healthPort}/alive`)).ok,
      'the daemon to listen',
    );
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await kube.call('DELETE', `${KP}/${prefix}-pod`).catch(() => undefined);
    await kube.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the kuryr-cni socket is root-only', () => {
    assert.equal(statSync(socket).mode & 0o777, 0o600);
  });

  test('/ready reflects Neutron; STATUS through kuryr-cni succeeds', async () => {
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${healthPort}/ready`)).status === 200,
      '/ready',
    );
    const r = await runCni(
      { CNI_COMMAND: 'STATUS' },
      { cniVersion: '1.1.0', name: 'kx', type: 'kuryr-cni', daemon_socket: socket },
    );
    assert.equal(r.status, 0, r.stdout);
  });

  test('Python routes: /delNetwork of an unknown container is 204, /addNetwork on an unknown network 400 code 7', async () => {
    const body = (cmd: string) => ({
      CNI_COMMAND: cmd,
      CNI_CONTAINERID: `${prefix}-c`,
      CNI_NETNS: '/proc/1/ns/net',
      CNI_IFNAME: 'eth0',
      CNI_ARGS: '',
      config_kuryr: { name: `${prefix}-net`, network: `${prefix}-nope` },
    });
    assert.equal((await post('/delNetwork', body('DEL'))).status, 204);
    const add = await post('/addNetwork', body('ADD'));
    assert.equal(add.status, 400);
    assert.equal(((await add.json()) as { code: number }).code, 7);
  });

  test('--kubernetes: pod requests read KuryrPorts from the real apiserver (UID mismatch → code 3)', async () => {
    await kube.ensureCrd(join(ROOT, 'deploy/crds/kuryrport.yaml'), KP);
    await kube.call('POST', KP, {
      apiVersion: 'openstack.org/v1',
      kind: 'KuryrPort',
      metadata: {
        name: `${prefix}-pod`,
        labels: { 'kuryr.openstack.org/nodeName': os.bindingHost },
      },
      spec: { podUid: 'uid-of-the-old-pod', podNodeName: os.bindingHost },
    });
    const r = await runCni(
      {
        CNI_COMMAND: 'ADD',
        CNI_CONTAINERID: `${prefix}-sandbox`,
        CNI_NETNS: '/proc/1/ns/net',
        CNI_IFNAME: 'eth0',
        CNI_ARGS: `K8S_POD_NAMESPACE=default;K8S_POD_NAME=${prefix}-pod;K8S_POD_UID=uid-of-the-new-pod`,
      },
      { cniVersion: '1.0.0', name: 'kuryr', type: 'kuryr-cni', daemon_socket: socket },
    );
    assert.equal(r.json?.code, 3, r.stdout);
  });

  test('/metrics exposes kuryr_cni_request_duration_seconds on the exporter port', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /kuryr_cni_request_duration_seconds_count\{command="DEL",error="false"\} 1/);
    assert.match(text, /kuryr_cni_request_duration_seconds_count\{command="ADD",error="true"\} 2/);
  });

  test('SIGTERM stops the daemon with exit code 0', async () => {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
