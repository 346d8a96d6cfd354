/**
 * Integration: `kuryr status` run as a child process (the real CLI) against the REAL test-bed OpenStack.
 * Fails (never skips) when the bed is not running.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { StatusReport } from '../../../src/openstack/status/types.js';
import { createOpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

const env = requireOpenStackEnv();
const prefix = testPrefix('kc-st');
const dir = mkdtempSync(join(tmpdir(), 'kc-status-'));
const session = createOpenStackSession(
  {
    auth: { type: 'noauth' },
    endpointOverrides: { network: env.neutronNoauthUrl },
  },
  pino({ level: 'silent' }),
);
let poolId = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kuryr(conf: string, ...args: string[]): Promise<Run> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, conf, { mode: 0o600 });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cmd/kuryr.ts', '--config-file', file, 'status', ...args],
      // The CLI must not see the bed's OS_* variables: credentials come from the file only.
      { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const passwordConf = (password: string, pools = ''): string => `[neutron]
auth_type = password
auth_url = ${env.authUrl}
username = ${env.kuryrUser.username}
password = ${password}
project_name = ${env.kuryrUser.projectName}
user_domain_name = ${env.userDomainName}
project_domain_name = ${env.projectDomainName}
region_name = ${env.region}
${pools}
`;

before(async () => {
  const res = await session.client('network').request<{ subnetpool: { id: string } }>({
    method: 'POST',
    path: '/v2.0/subnetpools',
    body: {
      subnetpool: {
        name: `${prefix}-v4`,
        prefixes: ['10.252.0.0/16'],
        default_prefixlen: 24,
        project_id: 'kc-status',
      },
    },
  });
  poolId = res.body.subnetpool.id;
});

after(async () => {
  if (poolId !== '') {
    await session
      .client('network')
      .request({ method: 'DELETE', path: `/v2.0/subnetpools/${poolId}` });
  }
  await session.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kuryr status against the bed', () => {
  test('--json: Keystone scoped, Neutron CURRENT, every extension present, pool found, Octavia up', async () => {
    const run = await kuryr(
      passwordConf(
        env.kuryrUser.password,
        `default_subnetpool_v4 = ${prefix}-v4\ndefault_subnetpool_v6 = ${prefix}-none6`,
      ),
      '--json',
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const report = JSON.parse(run.stdout) as StatusReport;
    assert.equal(report.ok, true);
    assert.equal(report.tagMode, 'tag');
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    assert.match(byId.get('keystone')?.detail ?? '', /project 'service'/);
    assert.equal(byId.get('keystone')?.state, 'ok');
    assert.match(byId.get('neutron')?.detail ?? '', /v2\.0 CURRENT/);
    for (const ext of [
      'subnet_allocation',
      'binding',
      'security-group',
      'port-security',
      'allowed-address-pairs',
      'trunk',
      'tagging',
    ]) {
      assert.equal(byId.get(`extension:${ext}`)?.state, 'ok', ext);
    }
    const pool = byId.get(`subnetpool:${prefix}-v4`);
    assert.equal(pool?.state, 'ok');
    assert.match(pool?.detail ?? '', new RegExp(poolId));
    const missing = byId.get(`subnetpool:${prefix}-none6`);
    assert.equal(missing?.state, 'warning');
    assert.match(missing?.disables ?? '', /cannot get a subnet/);
    assert.equal(byId.get('octavia')?.state, 'ok');
  });

  test('table output by default', async () => {
    const run = await kuryr(passwordConf(env.kuryrUser.password), '--require-octavia');
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^CHECK\s+STATE\s+MANDATORY\s+DETAIL/);
    assert.match(run.stdout, /extension:subnet_allocation\s+OK\s+yes/);
    assert.match(run.stdout, /Status: OK/);
  });

  test('noauth with endpoint_override reaches the noauth Neutron', async () => {
    const run = await kuryr(
      `[neutron]\nauth_type = none\nendpoint_override = ${env.neutronNoauthUrl}\n`,
      '--json',
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const report = JSON.parse(run.stdout) as StatusReport;
    assert.equal(report.neutronEndpoint, env.neutronNoauthUrl);
    // Octavia has no endpoint in noauth mode: reported, not fatal.
    assert.equal(report.checks.find((c) => c.id === 'octavia')?.mandatory, false);
  });

  test('Neutron unreachable (closed port as endpoint_override): exit 1 within the bounded retries', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as AddressInfo;
    await new Promise<void>((r) => srv.close(() => r()));
    const run = await kuryr(
      passwordConf(env.kuryrUser.password, `endpoint_override = http://127.0.0.1:${port}`),
      '--json',
      '--timeout',
      '5',
    );
    assert.equal(run.code, 1, run.stderr + run.stdout);
    const report = JSON.parse(run.stdout) as StatusReport;
    assert.equal(report.ok, false);
    assert.equal(report.checks.find((c) => c.id === 'keystone')?.state, 'ok');
    const neutron = report.checks.find((c) => c.id === 'neutron');
    assert.equal(neutron?.state, 'error');
    assert.match(neutron?.detail ?? '', /ServiceUnavailable: .*unreachable.*ECONNREFUSED/);
    assert.equal(
      report.checks.some((c) => c.id.startsWith('extension:')),
      false,
    );
  });

  test('wrong password: exit 1, Keystone error named, secret not printed', async () => {
    const run = await kuryr(passwordConf('kc-bad-secret'), '--json');
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as StatusReport;
    assert.equal(report.ok, false);
    const ks = report.checks.find((c) => c.id === 'keystone');
    assert.equal(ks?.state, 'error');
    assert.match(ks?.detail ?? '', /rejected user 'kuryr'/);
    assert.doesNotMatch(run.stdout + run.stderr, /kc-bad-secret/);
  });
});
