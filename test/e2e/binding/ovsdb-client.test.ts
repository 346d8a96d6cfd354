/**
 * The OVSDB JSON-RPC client against a private, real ovsdb-server (own db and socket under /tmp/kn-ovs-*):
 * add with external_ids, re-add converges, port on another bridge is a conflict, missing bridge is
 * NotFound, delete by iface-id + owner and by name are idempotent; `ovs-vsctl` is the oracle.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { OvsdbClient } from '../../../src/binding/ovs/ovsdb-client.js';
import { isConflictError, isNotFoundError } from '../../../src/common/errors/index.js';

const dir = mkdtempSync('/tmp/kn-ovs-');
const sock = `${dir}/db.sock`;
const vsctl = (...args: string[]): string =>
  execFileSync('ovs-vsctl', [`--db=unix:${sock}`, '--no-wait', ...args], {
    encoding: 'utf8',
  }).trim();
let client: OvsdbClient;

before(() => {
  execFileSync('ovsdb-tool', [
    'create',
    `${dir}/conf.db`,
    '/usr/share/openvswitch/vswitch.ovsschema',
  ]);
  execFileSync('ovsdb-server', [
    `${dir}/conf.db`,
    `--remote=punix:${sock}`,
    `--pidfile=${dir}/ovsdb.pid`,
    `--unixctl=${dir}/ovsdb.ctl`,
    `--log-file=${dir}/ovsdb.log`,
    '--detach',
  ]);
  vsctl('init');
  vsctl('add-br', 'kn-br-int');
  vsctl('add-br', 'kn-br-other');
  client = new OvsdbClient(sock);
});
after(() => {
  client?.close();
  const pid = Number(readFileSync(`${dir}/ovsdb.pid`, 'utf8'));
  if (pid > 0) process.kill(pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('add-port with external_ids, converge on re-add, read back by ovs-vsctl', async () => {
  const ids = {
    'iface-id': 'p-1',
    'attached-mac': 'fa:16:3e:00:00:01',
    'iface-status': 'active',
    'vm-uuid': 'vm',
    owner: 'kuryr',
  };
  await client.addPort('kn-br-int', 'tapkn1', ids);
  await client.addPort('kn-br-int', 'tapkn1', { ...ids, 'attached-mac': 'fa:16:3e:00:00:02' });
  assert.equal(vsctl('port-to-br', 'tapkn1'), 'kn-br-int');
  assert.equal(
    vsctl('get', 'Interface', 'tapkn1', 'external_ids:attached-mac'),
    '"fa:16:3e:00:00:02"',
  );
  assert.equal(vsctl('get', 'Interface', 'tapkn1', 'external_ids:owner'), 'kuryr');
  assert.equal(vsctl('list-ports', 'kn-br-int'), 'tapkn1');
});

test('a port on another bridge is a ConflictError; a missing bridge is NotFoundError', async () => {
  await assert.rejects(client.addPort('kn-br-other', 'tapkn1', {}), isConflictError);
  await assert.rejects(client.addPort('kn-nope', 'tapkn2', {}), isNotFoundError);
  assert.equal(vsctl('list-ports', 'kn-br-other'), '');
});

test('delete by iface-id + owner only touches ours; delete by name is idempotent', async () => {
  vsctl(
    'add-port',
    'kn-br-int',
    'tapforeign',
    '--',
    'set',
    'Interface',
    'tapforeign',
    'external_ids:iface-id=p-1',
    'external_ids:owner=nova',
  );
  assert.equal(await client.deletePortsByIfaceId('p-1', 'kuryr'), 1);
  assert.equal(await client.deletePortsByIfaceId('p-1', 'kuryr'), 0);
  assert.equal(vsctl('list-ports', 'kn-br-int'), 'tapforeign');
  assert.equal(await client.deletePort('tapforeign'), true);
  assert.equal(await client.deletePort('tapforeign'), false);
  assert.equal(vsctl('list-ports', 'kn-br-int'), '');
  assert.equal(vsctl('--columns=name', 'find', 'Interface', 'name=tapkn1'), '');
});
