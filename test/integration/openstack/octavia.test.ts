/**
 * Integration: the OctaviaClient against the REAL Octavia of the test bed (amphora provider on no-op
 * drivers, so provisioning really goes PENDING_* → ACTIVE through the worker), once through Keystone and
 * once through the bed's noauth octavia-api + neutron-server. Objects are named `ka-oc-<mode>-<hex>` and
 * removed by recorded id in `after` (cascade).
 *
 * @module test/integration/openstack/octavia.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { NeutronClient, type Subnet } from '../../../src/openstack/neutron/index.js';
import { OctaviaClient } from '../../../src/openstack/octavia/index.js';
import type { OpenStackSession } from '../../../src/openstack/session.js';
import { CleanupStack } from '../../../src/openstack/testing/cleanup-stack.js';
import { requireOctaviaOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import {
  OPENSTACK_MODES,
  cleanupDefaultSecurityGroup,
  openModeSession,
} from './openstack-modes.js';

const WAIT = { deadlineMs: 180_000, initialDelayMs: 250 };

for (const mode of OPENSTACK_MODES) {
  describe(`Octavia client against the real Octavia (${mode})`, () => {
    let session: OpenStackSession;
    let neutron: NeutronClient;
    let octavia: OctaviaClient;
    const cleanup = new CleanupStack();
    let p: string;
    let subnet: Subnet;
    let lbId: string;
    let listenerId: string;
    let poolId: string;
    let pid: string;

    before(async () => {
      const env = requireOctaviaOpenStackEnv();
      if (mode === 'noauth' && !env.octaviaNoauthUrl) {
        throw new Error(
          'the bed exports no OCTAVIA_NOAUTH_URL: the noauth octavia-api is not running',
        );
      }
      ({ session, projectId: pid } = await openModeSession(mode, env));
      neutron = new NeutronClient(session.client('network'));
      octavia = new OctaviaClient(session.client('load-balancer'));
      p = testPrefix(`ka-oc-${mode === 'keystone' ? 'ks' : 'na'}`);
      cleanupDefaultSecurityGroup(mode, cleanup, neutron, pid);
      const net = await neutron.networks.create({ name: `${p}-net`, project_id: pid });
      cleanup.push(`network ${net.id}`, () => neutron.networks.delete(net.id));
      subnet = await neutron.subnets.create({
        network_id: net.id,
        ip_version: 4,
        cidr: '10.236.0.0/24',
        name: `${p}-subnet`,
        project_id: pid,
      });
      cleanup.push(`subnet ${subnet.id}`, () => neutron.subnets.delete(subnet.id));
    });

    after(async () => {
      try {
        await cleanup.run();
      } finally {
        await session?.close();
      }
    });

    test('load balancer: create → waitActive, get, list with tag filter and paging, update', async () => {
      const lb = await octavia.loadBalancers.create({
        name: `${p}-lb`,
        vip_subnet_id: subnet.id,
        tags: [p, `${p}-main`],
        project_id: pid,
      });
      lbId = lb.id;
      cleanup.push(`load balancer ${lb.id}`, async () => {
        await octavia.loadBalancers.delete(lb.id, { cascade: true });
        await octavia.waitDeleted(lb.id, WAIT);
      });
      assert.notEqual(lb.provisioning_status, 'ERROR');
      const active = await octavia.waitActive(lb.id, WAIT);
      assert.equal(active.provisioning_status, 'ACTIVE');
      assert.equal(active.vip_subnet_id, subnet.id);
      // The bed's network_noop_driver invents the VIP (198.51.100.x) instead of allocating a Neutron port.
      assert.equal(isIP(active.vip_address), 4);
      assert.deepEqual([...active.tags].sort(), [p, `${p}-main`].sort());

      const lb2 = await octavia.loadBalancers.create({
        name: `${p}-lb2`,
        vip_subnet_id: subnet.id,
        tags: [p],
        project_id: pid,
      });
      cleanup.push(`load balancer ${lb2.id}`, async () => {
        await octavia.loadBalancers.delete(lb2.id, { cascade: true });
        await octavia.waitDeleted(lb2.id, WAIT);
      });
      await octavia.waitActive(lb2.id, WAIT);
      const tagged = await octavia.loadBalancers.listAll({ tags: [p] }, { pageSize: 1 });
      assert.deepEqual(tagged.map((l) => l.id).sort(), [lb.id, lb2.id].sort());
      assert.equal((await octavia.loadBalancers.findOne({ tags: [`${p}-main`] }))?.id, lb.id);
      assert.deepEqual(
        (await octavia.loadBalancers.listAll({ tags: [p], 'not-tags': [`${p}-main`] })).map(
          (l) => l.id,
        ),
        [lb2.id],
      );

      // Delete without cascade (no children) → waitDeleted → gone.
      await octavia.loadBalancers.delete(lb2.id);
      await octavia.waitDeleted(lb2.id, WAIT);
      await assert.rejects(octavia.loadBalancers.get(lb2.id), isNotFoundError);
      assert.equal(await octavia.loadBalancers.deleteIfExists(lb2.id), false);

      const upd = await octavia.loadBalancers.update(lb.id, { description: 'ka lb' });
      assert.equal(upd.description, 'ka lb');
      await octavia.waitActive(lb.id, WAIT);
    });

    test('listener: create, get, list, update', async () => {
      const listener = await octavia.listeners.create({
        loadbalancer_id: lbId,
        protocol: 'TCP',
        protocol_port: 80,
        name: `${p}-listener`,
        tags: [p],
      });
      listenerId = listener.id;
      await octavia.waitActive(lbId, WAIT);
      assert.equal((await octavia.listeners.get(listener.id)).provisioning_status, 'ACTIVE');
      const listed = await octavia.listeners.listAll({ loadbalancer_id: lbId });
      assert.deepEqual(
        listed.map((l) => l.id),
        [listener.id],
      );
      const upd = await octavia.listeners.update(listener.id, { connection_limit: 1000 });
      assert.equal(upd.connection_limit, 1000);
      await octavia.waitActive(lbId, WAIT);
    });

    test('pool and members: create, update, batch replace, delete', async () => {
      const pool = await octavia.pools.create({
        listener_id: listenerId,
        protocol: 'TCP',
        lb_algorithm: 'ROUND_ROBIN',
        name: `${p}-pool`,
      });
      poolId = pool.id;
      await octavia.waitActive(lbId, WAIT);
      assert.equal(
        (await octavia.pools.update(pool.id, { lb_algorithm: 'LEAST_CONNECTIONS' })).lb_algorithm,
        'LEAST_CONNECTIONS',
      );
      await octavia.waitActive(lbId, WAIT);

      const member = await octavia.members.create(poolId, {
        address: '10.236.0.10',
        protocol_port: 8080,
        subnet_id: subnet.id,
        name: `${p}-m1`,
      });
      await octavia.waitActive(lbId, WAIT);
      assert.equal((await octavia.members.get(poolId, member.id)).address, '10.236.0.10');
      assert.equal((await octavia.members.update(poolId, member.id, { weight: 5 })).weight, 5);
      await octavia.waitActive(lbId, WAIT);

      await octavia.members.replaceAll(poolId, [
        { address: '10.236.0.10', protocol_port: 8080, subnet_id: subnet.id, weight: 7 },
        { address: '10.236.0.11', protocol_port: 8080, subnet_id: subnet.id },
        { address: '10.236.0.12', protocol_port: 8080, subnet_id: subnet.id },
      ]);
      await octavia.waitActive(lbId, WAIT);
      const members = await octavia.members.listAll(poolId, {}, { pageSize: 2 });
      assert.deepEqual(members.map((m) => m.address).sort(), [
        '10.236.0.10',
        '10.236.0.11',
        '10.236.0.12',
      ]);
      assert.equal(
        members.find((m) => m.address === '10.236.0.10')?.id,
        member.id,
        'kept, updated',
      );

      const last = members.find((m) => m.address === '10.236.0.12');
      assert.ok(last);
      await octavia.members.delete(poolId, last.id);
      await octavia.waitActive(lbId, WAIT);
      assert.equal(await octavia.members.deleteIfExists(poolId, last.id), false);
      assert.equal((await octavia.members.listAll(poolId)).length, 2);
    });

    test('cascade delete removes the load balancer with its children; waitDeleted returns', async () => {
      await octavia.loadBalancers.delete(lbId, { cascade: true });
      await octavia.waitDeleted(lbId, WAIT);
      await assert.rejects(octavia.loadBalancers.get(lbId), isNotFoundError);
      await assert.rejects(octavia.listeners.get(listenerId), isNotFoundError);
      await assert.rejects(octavia.pools.get(poolId), isNotFoundError);
      await assert.rejects(octavia.waitActive(lbId, WAIT), isNotFoundError);
    });
  });
}
