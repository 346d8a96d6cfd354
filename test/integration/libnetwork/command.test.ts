/**
 * Integration: the `kuryr libnetwork` command as operators run it — kuryr.conf in, real Neutron feature
 * detection, unix socket (0600) or `kuryr_uri` TCP, discovery file, clean stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { postUnix } from './harness.js';

const env = requireOpenStackEnv();
const prefix = testPrefix('kl-cmd');
const conf = `/tmp/${prefix}.conf`;
const children: ChildProcess[] = [];

async function writeConf(extra = ''): Promise<void> {
  await writeFile(
    conf,
    [
      '[DEFAULT]',
      `host = ${env.bindingHost}`,
      'kuryr_uri = http://127.0.0.1:23799',
      extra,
      '[neutron]',
      'auth_type = password',
      `auth_url = ${env.authUrl}`,
      `username = ${env.username}`,
      `password = ${env.password}`,
      `project_name = ${env.projectName}`,
      `user_domain_name = ${env.userDomainName}`,
      `project_domain_name = ${env.projectDomainName}`,
      `endpoint_override = ${env.neutronUrl}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

function start(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cmd/kuryr.ts', '--config-file', conf, 'libnetwork', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function waitFor(check: () => Promise<boolean>, what: string, output: () => string) {
  for (let i = 0; i < 120; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not happen; output:\n${output()}`);
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('kuryr libnetwork command (real Neutron)', () => {
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await rm(conf, { force: true });
  });

  test('serves a root-only unix socket, writes the .spec file, stops on SIGTERM with exit 0', async () => {
    await writeConf();
    const socket = `/tmp/${prefix}.sock`;
    const spec = `/tmp/${prefix}.spec`;
    const { child, output } = start(['--socket', socket, '--spec-file', spec]);
    await waitFor(async () => (await stat(socket)).isSocket(), 'socket creation', output);
    assert.equal((await stat(socket)).mode & 0o777, 0o600);
    assert.equal((await readFile(spec, 'utf8')).trim(), `unix://${socket}`);
    const r = await postUnix(socket, '/Plugin.Activate', undefined);
    assert.deepEqual(r.body, { Implements: ['NetworkDriver', 'IpamDriver'] });
    assert.match(output(), /tag mode/);
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    await rm(spec, { force: true });
  });

  test('--tcp serves [DEFAULT] kuryr_uri and the .json discovery file names it', async () => {
    await writeConf('capability_scope = global');
    const json = `/tmp/${prefix}.json`;
    const { child, output } = start(['--tcp', '--spec-file', json]);
    const caps = () =>
      fetch('http://127.0.0.1:23799/NetworkDriver.GetCapabilities', { method: 'POST' }).then(
        (r) => r.json() as Promise<Record<string, unknown>>,
      );
    await waitFor(async () => (await caps()).Scope === 'global', 'TCP listener', output);
    assert.deepEqual(JSON.parse(await readFile(json, 'utf8')), {
      Name: 'kuryr',
      Addr: 'tcp://127.0.0.1:23799',
    });
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    await rm(json, { force: true });
  });
});
