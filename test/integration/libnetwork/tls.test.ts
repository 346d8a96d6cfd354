/**
 * Integration: `kuryr libnetwork --tcp` with `[DEFAULT] enable_ssl = True` (`ssl_cert_file`, `ssl_key_file`, as
 * the Python kuryr-libnetwork) against the real Neutron: a CA and a server certificate made with `openssl` in a
 * temp dir; `/Plugin.Activate` over https with that CA succeeds, a client without the CA is refused, plain HTTP
 * gets no plugin answer. The original verifies no client certificates (it passes only cert + key to Flask), and
 * neither does this driver: a client without a certificate is served.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

const run = promisify(execFile);
const env = requireOpenStackEnv();
const prefix = testPrefix('ka2-tls');
const PORT = 23781;

const openssl = (...args: string[]) => run('openssl', args, { timeout: 30_000 });

/** `openssl req` with a new RSA key into `key`; writes a CSR to `out` (with `-x509`: a self-signed cert). */
async function newKey(subject: string, key: string, out: string, ...extra: string[]) {
  await openssl(
    'req',
    ...extra,
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    subject,
    '-keyout',
    key,
    '-out',
    out,
  );
}

/** A self-signed CA named `cn`: `<path>.pem` (certificate) and `<path>.key`. */
async function makeCa(path: string, cn: string): Promise<{ pem: string; key: string }> {
  const ca = { pem: `${path}.pem`, key: `${path}.key` };
  await newKey(`/CN=${cn}`, ca.key, ca.pem, '-x509', '-days', '1');
  return ca;
}

/** A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl CLI. */
async function makeCerts(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const f = (n: string) => join(dir, n);
  const ca = await makeCa(f('ca'), `${prefix}-ca`);
  await newKey('/CN=127.0.0.1', f('server.key'), f('server.csr'));
  await writeFile(f('ext.cnf'), 'subjectAltName = IP:127.0.0.1\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    ca.pem,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.pem'),
  );
  return { ca: ca.pem, cert: f('server.pem'), key: f('server.key') };
}

/** POST /Plugin.Activate over https with the given CA (or the system store when undefined). */
function activate(ca: Buffer | undefined): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: PORT,
        path: '/Plugin.Activate',
        method: 'POST',
        ...(ca ? { ca } : {}),
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('kuryr libnetwork over TLS (real Neutron)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let output = '';
  let certs: { ca: string; cert: string; key: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
    certs = await makeCerts(dir);
    const conf = join(dir, 'kuryr.conf');
    await writeFile(
      conf,
      [
        '[DEFAULT]',
        `host = ${env.bindingHost}`,
        `kuryr_uri = https://127.0.0.1:${PORT}`,
        'enable_ssl = True',
        `ssl_cert_file = ${certs.cert}`,
        `ssl_key_file = ${certs.key}`,
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
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cmd/kuryr.ts', '--config-file', conf, 'libnetwork', '--tcp'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const ca = await readFile(certs.ca);
    for (let i = 0; i < 120; i++) {
      if (
        await activate(ca).then(
          () => true,
          () => false,
        )
      )
        return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`TLS listener did not come up; output:\n${output}`);
  });
  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('Plugin.Activate over https with the CA succeeds', async () => {
    const r = await activate(await readFile(certs.ca));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { Implements: ['NetworkDriver', 'IpamDriver'] });
    assert.match(output, /listening/);
  });

  test('a client without the CA is refused (certificate not trusted)', async () => {
    await assert.rejects(activate(undefined), (e: NodeJS.ErrnoException) => {
      assert.match(String(e.code), /SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)/);
      return true;
    });
  });

  test('a CA that did not sign the server certificate is refused too', async () => {
    const other = await makeCa(join(dir, 'other'), `${prefix}-other`);
    await assert.rejects(activate(await readFile(other.pem)), /certificate|issuer/i);
  });

  test('plain HTTP on the TLS port gets no plugin answer', async () => {
    const r = await fetch(`http://127.0.0.1:${PORT}/Plugin.Activate`, { method: 'POST' }).then(
      async (res) => ({ ok: res.ok, text: await res.text() }),
      () => ({ ok: false, text: '' }),
    );
    assert.equal(r.ok, false);
    assert.doesNotMatch(r.text, /NetworkDriver/);
  });
});
