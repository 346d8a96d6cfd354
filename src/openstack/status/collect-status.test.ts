import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { startTestServer, type RecordedRequest, type TestServer } from '../http/test-server.js';
import { startFakeKeystone, type FakeKeystone } from '../keystone/test-keystone.js';
import { createOpenStackSession, type OpenStackSession } from '../session.js';
import { collectStatus } from './collect-status.js';
import { extensionChecks, tagModeOf } from './extensions.js';
import { formatStatus } from './format-status.js';

const silent = pino({ level: 'silent' });
const cleanup: (TestServer | FakeKeystone | OpenStackSession)[] = [];
after(async () => {
  for (const c of cleanup) await c.close();
});

const ALL = [
  'subnet_allocation',
  'binding',
  'security-group',
  'port-security',
  'allowed-address-pairs',
  'trunk',
  'standard-attr-tag',
];

function neutron(aliases: string[], pools: string[] = ['kuryr']) {
  return (r: RecordedRequest) => {
    const path = r.url.replace(/^\/network\/one\/public/, '');
    if (path === '/') return { body: { versions: [{ id: 'v2.0', status: 'CURRENT' }] } };
    if (path === '/v2.0/extensions')
      return { body: { extensions: aliases.map((alias) => ({ alias })) } };
    if (path.startsWith('/v2.0/subnetpools')) {
      const name = new URL(r.url, 'http://x').searchParams.get('name') ?? '';
      return {
        body: {
          subnetpools: pools.includes(name)
            ? [{ id: `id-${name}`, prefixes: ['10.0.0.0/16'], ip_version: 4 }]
            : [],
        },
      };
    }
    if (path === '/lb/') return { body: { versions: [{ id: 'v2.26', status: 'CURRENT' }] } };
    return { status: 404, body: {} };
  };
}

async function noauthSession(aliases: string[], pools?: string[]): Promise<OpenStackSession> {
  const srv = await startTestServer(neutron(aliases, pools));
  cleanup.push(srv);
  const s = createOpenStackSession(
    { auth: { type: 'noauth' }, endpointOverrides: { network: srv.url }, retries: { attempts: 1 } },
    silent,
  );
  cleanup.push(s);
  return s;
}

test('tag modes from extension aliases', () => {
  assert.equal(tagModeOf(new Set(['standard-attr-tag'])), 'tag');
  assert.equal(tagModeOf(new Set(['tag', 'tag-ext'])), 'tag');
  assert.equal(tagModeOf(new Set(['tag'])), 'network-tags-only');
  assert.equal(tagModeOf(new Set()), 'name');
  const rows = extensionChecks(new Set(['subnet_allocation']));
  assert.equal(rows.find((r) => r.id === 'extension:trunk')?.state, 'warning');
  assert.match(rows.find((r) => r.id === 'extension:trunk')?.disables ?? '', /nested VLAN/);
  assert.equal(rows.find((r) => r.id === 'extension:tagging')?.state, 'warning');
});

test('everything present: ok; Octavia missing in noauth is only a warning', async () => {
  const s = await noauthSession(ALL);
  const report = await collectStatus(s, { requestTimeoutMs: 2000 });
  assert.equal(report.ok, true);
  assert.equal(report.tagMode, 'tag');
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  assert.equal(byId.get('subnetpool:kuryr')?.state, 'ok');
  assert.equal(byId.get('subnetpool:kuryr6')?.state, 'warning');
  assert.equal(byId.get('octavia')?.state, 'warning');
  assert.match(formatStatus(report), /Status: OK/);
});

test('missing subnet_allocation fails the report and says why', async () => {
  const s = await noauthSession(ALL.filter((a) => a !== 'subnet_allocation'));
  const report = await collectStatus(s, { requestTimeoutMs: 2000 });
  assert.equal(report.ok, false);
  const row = report.checks.find((c) => c.id === 'extension:subnet_allocation');
  assert.equal(row?.state, 'missing');
  assert.equal(row?.mandatory, true);
  const text = formatStatus(report);
  assert.match(text, /extension:subnet_allocation\s+MISSING\s+yes/);
  assert.match(text, /Status: FAILED/);
});

test('required Octavia that is absent fails the report', async () => {
  const s = await noauthSession(ALL);
  const report = await collectStatus(s, { requireOctavia: true, requestTimeoutMs: 2000 });
  assert.equal(report.ok, false);
  assert.equal(report.checks.find((c) => c.id === 'octavia')?.state, 'missing');
});

/** A password session against a fake Keystone whose catalog points at the scripted Neutron/Octavia. */
async function keystoneSession(reject = false): Promise<OpenStackSession> {
  const ks = await startFakeKeystone(neutron(ALL));
  ks.reject = reject;
  cleanup.push(ks);
  const s = createOpenStackSession(
    {
      auth: { type: 'password', authUrl: ks.url, userId: 'u1', password: 'p', projectId: 'p1' },
      retries: { attempts: 1 },
    },
    silent,
  );
  cleanup.push(s);
  return s;
}

test('with Keystone: scope and roles reported, Octavia from the catalog', async () => {
  const s = await keystoneSession();
  const report = await collectStatus(s, { requireOctavia: true, requestTimeoutMs: 2000 });
  assert.equal(report.ok, true, JSON.stringify(report.checks));
  const kc = report.checks.find((c) => c.id === 'keystone');
  assert.match(kc?.detail ?? '', /user 'kuryr', project 'service', roles: admin/);
  assert.match(report.checks.find((c) => c.id === 'octavia')?.detail ?? '', /v2.26 CURRENT/);
});

test('Keystone rejecting the credentials: error row, Neutron not attempted', async () => {
  const s = await keystoneSession(true);
  const report = await collectStatus(s, { requestTimeoutMs: 2000 });
  assert.equal(report.ok, false);
  assert.equal(report.checks[0]?.state, 'error');
  assert.equal(
    report.checks.some((c) => c.id === 'neutron'),
    false,
  );
});
