/**
 * Integration: the NeutronClient's L3 and cross-cutting resources (routers + interfaces + gateway, an
 * external flat network, floating IPs, the tag API on every taggable resource with the four tag filters,
 * quotas, floating IP port forwardings) against the REAL Neutron, in both auth modes like
 * neutron.test.ts. Objects are named `ka-n3-<mode>-<hex>` and deleted by recorded id in `after`.
 *
 * @module test/integration/openstack/neutron-l3.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { Network, Subnet, TaggableResource } from '../../../src/openstack/neutron/index.js';
import {
  OPENSTACK_MODES,
  closeNeutronCtx,
  openNeutronCtx,
  type NeutronCtx,
} from './openstack-modes.js';

for (const mode of OPENSTACK_MODES) {
  describe(`Neutron client L3, tags, quotas against the real Neutron (${mode})`, () => {
    let c: NeutronCtx;
    let pid: string;
    let p: string;
    let net: Network;
    let subnet4: Subnet;
    let subnet6: Subnet;
    let extNet: Network;

    before(async () => {
      c = await openNeutronCtx(mode, 'n3');
      pid = c.projectId;
      p = c.prefix;
      net = await c.neutron.networks.createTagged({ name: `${p}-net`, project_id: pid }, [p]);
      c.cleanup.push(`network ${net.id}`, () => c.neutron.networks.delete(net.id));
      subnet4 = await c.neutron.subnets.create({
        network_id: net.id,
        ip_version: 4,
        cidr: '10.231.1.0/24',
        name: `${p}-s4`,
        project_id: pid,
      });
      c.cleanup.push(`subnet ${subnet4.id}`, () => c.neutron.subnets.delete(subnet4.id));
      subnet6 = await c.neutron.subnets.create({
        network_id: net.id,
        ip_version: 6,
        cidr: 'fd31:ca11::/64',
        name: `${p}-s6`,
        ipv6_address_mode: 'dhcpv6-stateful',
        ipv6_ra_mode: 'dhcpv6-stateful',
        project_id: pid,
      });
      c.cleanup.push(`subnet ${subnet6.id}`, () => c.neutron.subnets.delete(subnet6.id));
    });

    after(() => closeNeutronCtx(c));

    test('routers, external network, floating IPs: create, interfaces, gateway, associate, update, delete', async () => {
      // A flat provider network marked external; the physnet name is unique so runs never collide.
      const ext = await c.neutron.networks.createTagged(
        {
          name: `${p}-ext`,
          'router:external': true,
          'provider:network_type': 'flat',
          'provider:physical_network': `${p}-phys`,
          project_id: pid,
        },
        [p],
      );
      c.cleanup.push(`network ${ext.id}`, () => c.neutron.networks.delete(ext.id));
      assert.equal(ext['router:external'], true);
      extNet = ext;
      const extSub = await c.neutron.subnets.create({
        network_id: ext.id,
        ip_version: 4,
        cidr: '198.51.100.0/24',
        enable_dhcp: false,
        project_id: pid,
      });
      c.cleanup.push(`subnet ${extSub.id}`, () => c.neutron.subnets.delete(extSub.id));
      assert.deepEqual(
        (await c.neutron.networks.listAll({ 'router:external': true, tags: [p] })).map((n) => n.id),
        [ext.id],
      );

      const router = await c.neutron.routers.createTagged(
        { name: `${p}-router`, project_id: pid },
        [p],
      );
      c.cleanup.push(`router ${router.id}`, () => c.neutron.routers.delete(router.id));
      const withGw = await c.neutron.routers.update(router.id, {
        external_gateway_info: { network_id: ext.id },
      });
      assert.equal(withGw.external_gateway_info?.network_id, ext.id);
      c.cleanup.push(`router ${router.id} gateway`, () =>
        c.neutron.routers.update(router.id, { external_gateway_info: null }),
      );
      const itf = await c.neutron.routers.addInterface(router.id, { subnet_id: subnet4.id });
      c.cleanup.push(`router ${router.id} interface`, () =>
        c.neutron.routers.removeInterface(router.id, { subnet_id: subnet4.id }),
      );
      assert.equal(itf.subnet_id, subnet4.id);
      const gwPort = await c.neutron.ports.get(itf.port_id);
      assert.equal(gwPort.device_id, router.id);
      assert.ok(gwPort.fixed_ips.some((f) => f.ip_address === subnet4.gateway_ip));

      // A second interface through an explicit port, removed again.
      const itfPort = await c.neutron.ports.create({
        network_id: net.id,
        name: `${p}-rport`,
        fixed_ips: [{ subnet_id: subnet6.id }],
        project_id: pid,
      });
      c.cleanup.push(`port ${itfPort.id}`, () => c.neutron.ports.delete(itfPort.id));
      await c.neutron.routers.addInterface(router.id, { port_id: itfPort.id });
      assert.equal((await c.neutron.ports.get(itfPort.id)).device_id, router.id);
      await c.neutron.routers.removeInterface(router.id, { port_id: itfPort.id });
      await assert.rejects(
        c.neutron.routers.removeInterface(router.id, { port_id: itfPort.id }),
        isNotFoundError,
      );

      const target = await c.neutron.ports.create({
        network_id: net.id,
        name: `${p}-fiptarget`,
        fixed_ips: [{ subnet_id: subnet4.id }],
        project_id: pid,
      });
      c.cleanup.push(`port ${target.id}`, () => c.neutron.ports.delete(target.id));
      const fip = await c.neutron.floatingIps.createTagged(
        { floating_network_id: ext.id, project_id: pid },
        [p],
      );
      c.cleanup.push(`floating ip ${fip.id}`, () => c.neutron.floatingIps.delete(fip.id));
      assert.match(fip.floating_ip_address, /^198\.51\.100\./);
      const assoc = await c.neutron.floatingIps.associate(fip.id, target.id);
      assert.equal(assoc.port_id, target.id);
      assert.equal(assoc.fixed_ip_address, target.fixed_ips[0]?.ip_address);
      assert.equal(assoc.router_id, router.id);
      assert.equal((await c.neutron.floatingIps.findOne({ port_id: target.id }))?.id, fip.id);
      assert.equal((await c.neutron.floatingIps.disassociate(fip.id)).port_id, null);
      assert.equal(
        (await c.neutron.floatingIps.update(fip.id, { description: 'ka fip' })).description,
        'ka fip',
      );
      assert.equal(
        (await c.neutron.routers.update(router.id, { description: 'ka r' })).description,
        'ka r',
      );
      assert.equal((await c.neutron.routers.findOne({ tags: [p] }))?.id, router.id);
      await c.neutron.floatingIps.delete(fip.id);
      assert.equal(await c.neutron.floatingIps.deleteIfExists(fip.id), false);
    });

    test('tags: add one, replace all, remove one, remove all on every taggable resource', async () => {
      const port = await c.neutron.ports.create({
        network_id: net.id,
        name: `${p}-tagport`,
        fixed_ips: [{ subnet_id: subnet4.id }],
        project_id: pid,
      });
      c.cleanup.push(`port ${port.id}`, () => c.neutron.ports.delete(port.id));
      const pool = await c.neutron.subnetpools.create({
        name: `${p}-tagpool`,
        prefixes: ['10.234.0.0/16'],
        project_id: pid,
      });
      c.cleanup.push(`subnetpool ${pool.id}`, () => c.neutron.subnetpools.delete(pool.id));
      const sg = await c.neutron.securityGroups.create({ name: `${p}-tagsg`, project_id: pid });
      c.cleanup.push(`security group ${sg.id}`, () => c.neutron.securityGroups.delete(sg.id));
      const router = await c.neutron.routers.create({ name: `${p}-tagrouter`, project_id: pid });
      c.cleanup.push(`router ${router.id}`, () => c.neutron.routers.delete(router.id));
      const fip = await c.neutron.floatingIps.create({
        floating_network_id: extNet.id,
        project_id: pid,
      });
      c.cleanup.push(`floating ip ${fip.id}`, () => c.neutron.floatingIps.delete(fip.id));
      const parent = await c.neutron.ports.create({
        network_id: net.id,
        name: `${p}-tagparent`,
        fixed_ips: [{ subnet_id: subnet4.id }],
        project_id: pid,
      });
      c.cleanup.push(`port ${parent.id}`, () => c.neutron.ports.delete(parent.id));
      const trunk = await c.neutron.trunks.create({ port_id: parent.id, project_id: pid });
      c.cleanup.push(`trunk ${trunk.id}`, () => c.neutron.trunks.delete(trunk.id));

      const objects: [TaggableResource, string, (id: string) => Promise<{ tags: string[] }>][] = [
        ['networks', net.id, (id) => c.neutron.networks.get(id)],
        ['subnets', subnet4.id, (id) => c.neutron.subnets.get(id)],
        ['subnetpools', pool.id, (id) => c.neutron.subnetpools.get(id)],
        ['ports', port.id, (id) => c.neutron.ports.get(id)],
        ['security-groups', sg.id, (id) => c.neutron.securityGroups.get(id)],
        ['routers', router.id, (id) => c.neutron.routers.get(id)],
        ['floatingips', fip.id, (id) => c.neutron.floatingIps.get(id)],
        ['trunks', trunk.id, (id) => c.neutron.trunks.get(id)],
      ];
      const lh = `kuryr.net.uuid.lh:${p}`;
      for (const [res, id, get] of objects) {
        const before = (await get(id)).tags;
        await c.neutron.tags.add(res, id, lh);
        await c.neutron.tags.add(res, id, lh); // idempotent
        assert.deepEqual(
          (await get(id)).tags.sort(),
          [...new Set([...before, lh])].sort(),
          `${res} add`,
        );
        const replaced = await c.neutron.tags.replace(res, id, [p, `${p}-a`, `${p}-b`]);
        assert.deepEqual(replaced.sort(), [p, `${p}-a`, `${p}-b`].sort(), `${res} replace`);
        await c.neutron.tags.remove(res, id, `${p}-a`);
        assert.deepEqual((await get(id)).tags.sort(), [p, `${p}-b`].sort(), `${res} remove`);
        await assert.rejects(
          c.neutron.tags.remove(res, id, `${p}-a`),
          isNotFoundError,
          `${res} remove absent`,
        );
        await c.neutron.tags.removeAll(res, id);
        assert.deepEqual((await get(id)).tags, [], `${res} remove all`);
        await c.neutron.tags.replace(res, id, before);
      }
      // The four filters on ports, with a tag only these two ports carry.
      const f = `${p}-f`;
      await c.neutron.tags.replace('ports', port.id, [f, `${p}-x`]);
      await c.neutron.tags.replace('ports', parent.id, [f, `${p}-y`]);
      const ids = (filters: Parameters<typeof c.neutron.ports.listAll>[0]) =>
        c.neutron.ports
          .listAll({ network_id: net.id, ...filters }, { pageSize: 1 })
          .then((l) => l.map((x) => x.id).sort());
      assert.deepEqual(await ids({ tags: [f, `${p}-x`] }), [port.id]);
      assert.deepEqual(
        await ids({ 'tags-any': [`${p}-x`, `${p}-y`] }),
        [port.id, parent.id].sort(),
      );
      assert.deepEqual(await ids({ tags: [f], 'not-tags': [f, `${p}-y`] }), [port.id]);
      assert.deepEqual(await ids({ 'tags-any': [f], 'not-tags-any': [`${p}-x`, `${p}-zz`] }), [
        parent.id,
      ]);
    });

    test('quotas: show, show default, update, reset for a project', async () => {
      const quotaProject = randomBytes(16).toString('hex');
      c.cleanup.push(`quota ${quotaProject}`, () => c.neutron.quotas.reset(quotaProject));
      const dflt = await c.neutron.quotas.getDefault(quotaProject);
      assert.equal(typeof dflt.network, 'number');
      assert.deepEqual(await c.neutron.quotas.get(quotaProject), dflt);
      const updated = await c.neutron.quotas.update(quotaProject, { network: 77, port: 501 });
      assert.equal(updated.network, 77);
      assert.equal((await c.neutron.quotas.get(quotaProject)).port, 501);
      await c.neutron.quotas.reset(quotaProject);
      assert.equal((await c.neutron.quotas.get(quotaProject)).network, dflt.network);
    });

    test('port forwardings on a floating IP: create, get, list, update, delete', async () => {
      const alias = 'floating-ip-port-forwarding';
      assert.ok(
        await c.neutron.extensions.has(alias),
        `Neutron extension '${alias}' is not loaded: the bed's neutron.conf needs ` +
          "'service_plugins = router,trunk,port_forwarding' ([DEFAULT], scripts/openstack.sh)",
      );
      const fip = await c.neutron.floatingIps.create({
        floating_network_id: extNet.id,
        project_id: pid,
      });
      c.cleanup.push(`floating ip ${fip.id}`, () => c.neutron.floatingIps.delete(fip.id));
      const port = await c.neutron.ports.create({
        network_id: net.id,
        name: `${p}-pf`,
        fixed_ips: [{ subnet_id: subnet4.id }],
        project_id: pid,
      });
      c.cleanup.push(`port ${port.id}`, () => c.neutron.ports.delete(port.id));
      const ip = port.fixed_ips[0]?.ip_address ?? '';
      const pf = await c.neutron.portForwardings.create(fip.id, {
        protocol: 'tcp',
        internal_ip_address: ip,
        internal_port_id: port.id,
        internal_port: 8080,
        external_port: 80,
      });
      c.cleanup.push(`port forwarding ${pf.id}`, () =>
        c.neutron.portForwardings.delete(fip.id, pf.id),
      );
      await assert.rejects(
        c.neutron.portForwardings.create(fip.id, {
          protocol: 'tcp',
          internal_ip_address: ip,
          internal_port_id: port.id,
          internal_port: 8081,
          external_port: 80,
        }),
        (e: unknown) => e instanceof Error && !isNotFoundError(e),
      );
      const pf2 = await c.neutron.portForwardings.create(fip.id, {
        protocol: 'udp',
        internal_ip_address: ip,
        internal_port_id: port.id,
        internal_port: 53,
        external_port: 5353,
      });
      assert.deepEqual(
        (await c.neutron.portForwardings.listAll(fip.id, {}, { pageSize: 1 }))
          .map((x) => x.id)
          .sort(),
        [pf.id, pf2.id].sort(),
      );
      assert.deepEqual(
        (await c.neutron.portForwardings.listAll(fip.id, { protocol: 'udp' })).map((x) => x.id),
        [pf2.id],
      );
      assert.equal((await c.neutron.portForwardings.get(fip.id, pf.id)).internal_port, 8080);
      assert.equal(
        (await c.neutron.portForwardings.update(fip.id, pf.id, { internal_port: 9090 }))
          .internal_port,
        9090,
      );
      await c.neutron.portForwardings.delete(fip.id, pf2.id);
      assert.equal(await c.neutron.portForwardings.deleteIfExists(fip.id, pf2.id), false);
      await assert.rejects(c.neutron.portForwardings.get(fip.id, pf2.id), isNotFoundError);
    });
  });
}
