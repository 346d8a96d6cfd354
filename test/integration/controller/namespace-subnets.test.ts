/**
 * Integration: the `namespace` subnets driver against the REAL Neutron: a subnetpool and a router created
 * here, ensure (create, then adopt), delete (router interface, leftover kuryr ports, subnet, network).
 *
 * @module test/integration/controller/namespace-subnets.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { NamespaceSubnetsDriver } from '../../../src/controller/drivers/subnets/namespace.js';
import { openControllerBed, type ControllerBed } from './controller-bed.js';

describe('namespace subnets driver against the real Neutron', () => {
  let bed: ControllerBed;
  let driver: NamespaceSubnetsDriver;
  let routerId: string;

  before(async () => {
    bed = await openControllerBed('kd-ns');
    const pool = await bed.neutron.subnetpools.createTagged(
      {
        name: `${bed.prefix}-pool`,
        prefixes: ['10.232.0.0/16'],
        default_prefixlen: 26,
        project_id: bed.projectId,
      },
      [bed.prefix],
    );
    bed.cleanup.push(`subnetpool ${pool.id}`, () => bed.neutron.subnetpools.delete(pool.id));
    const router = await bed.neutron.routers.createTagged(
      { name: `${bed.prefix}-router`, project_id: bed.projectId },
      [bed.prefix],
    );
    routerId = router.id;
    bed.cleanup.push(`router ${router.id}`, () => bed.neutron.routers.delete(router.id));
    driver = new NamespaceSubnetsDriver(bed.neutron, bed.log, {
      routerId,
      subnetPoolId: pool.id,
      mtu: 1400,
      resourceTags: [bed.prefix],
    });
  });

  after(async () => {
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('ensure creates, adopts on the second call, delete removes everything', async () => {
    const ns = { uid: randomUUID(), name: `${bed.prefix}-team` };
    const a = await driver.ensureNamespaceNetwork(ns, bed.projectId);
    bed.cleanup.push(`ns network ${a.netId}`, () =>
      driver.deleteNamespaceNetwork({ netId: a.netId }),
    );
    const net = await bed.neutron.networks.get(a.netId);
    const subnet = await bed.neutron.subnets.get(a.subnetId);
    assert.equal(net.name, `${ns.uid}/${ns.name}`);
    assert.deepEqual(net.tags, [bed.prefix]);
    assert.equal(net.mtu, 1400);
    assert.equal(subnet.name, net.name);
    assert.equal(subnet.enable_dhcp, false);
    assert.match(a.subnetCIDR, /^10\.232\.\d+\.\d+\/26$/);
    const gw = await bed.neutron.ports.listAll({ device_id: routerId, network_id: a.netId });
    assert.equal(gw.length, 1, 'attached to the router');

    bed.http.reset();
    const b = await driver.ensureNamespaceNetwork(ns, bed.projectId);
    assert.deepEqual(b, a);
    assert.ok(
      bed.http.requests.every((r) => r.startsWith('GET')),
      `adoption only reads: ${bed.http.requests.join(', ')}`,
    );
    const [ps] = await driver.getSubnets({ namespace: ns.name });
    assert.equal(ps?.subnet.id, a.subnetId);

    // a leftover pod port must not block the delete
    const leftover = await bed.neutron.ports.create({
      network_id: a.netId,
      device_owner: 'compute:kuryr',
      name: `${bed.prefix}-leftover`,
    });
    await driver.deleteNamespaceNetwork(ns);
    await driver.deleteNamespaceNetwork(ns); // idempotent
    for (const get of [
      () => bed.neutron.networks.get(a.netId),
      () => bed.neutron.subnets.get(a.subnetId),
      () => bed.neutron.ports.get(leftover.id),
    ]) {
      await assert.rejects(get(), (e: unknown) => isNotFoundError(e));
    }
    assert.equal(
      (await bed.neutron.ports.listAll({ device_id: routerId })).length,
      0,
      'router interface removed',
    );
  });
});
