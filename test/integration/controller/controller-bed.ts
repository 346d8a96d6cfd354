/**
 * Shared by the controller-driver integration suites: an admin session on the REAL test-bed Neutron,
 * a per-suite name prefix (`kd-…`, also used as the `resource_tags` value so listings only ever see this
 * suite's objects), a pod network + subnet, and cleanup by recorded id.
 *
 * @module test/integration/controller/controller-bed
 */
import assert from 'node:assert/strict';
import { pino, type Logger } from 'pino';
import { NeutronClient, type Network, type Subnet } from '../../../src/openstack/neutron/index.js';
import { CleanupStack } from '../../../src/openstack/testing/cleanup-stack.js';
import { CountingClient } from '../../../src/openstack/testing/counting-client.js';
import type { PodSubnet } from '../../../src/controller/drivers/pod-vif/types.js';
import { requireOpenStackEnv, type OpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { BedSessions } from '../openstack/bed-sessions.js';

/** What a suite works with. */
export interface ControllerBed {
  env: OpenStackEnv;
  sessions: BedSessions;
  http: CountingClient;
  neutron: NeutronClient;
  projectId: string;
  prefix: string;
  cleanup: CleanupStack;
  log: Logger;
}

/** Opens the bed (fails with a clear message when it is not running). */
export async function openControllerBed(base: string): Promise<ControllerBed> {
  const env = requireOpenStackEnv();
  const sessions = new BedSessions(env);
  const session = sessions.open(sessions.passwordAuth(env.adminUser));
  const info = await session.identity.tokenInfo();
  assert.ok(info.project, 'the admin token is project-scoped');
  const http = new CountingClient(session.client('network'));
  return {
    env,
    sessions,
    http,
    neutron: new NeutronClient(http),
    projectId: info.project.id,
    prefix: testPrefix(base),
    cleanup: new CleanupStack(),
    log: pino({ level: 'silent' }),
  };
}

/** Creates a network + /24 subnet named after the prefix, registered for cleanup. */
export async function makePodNetwork(
  bed: ControllerBed,
  name: string,
  cidr: string,
): Promise<PodSubnet> {
  const network: Network = await bed.neutron.networks.createTagged(
    { name: `${bed.prefix}-${name}`, project_id: bed.projectId },
    [bed.prefix],
  );
  bed.cleanup.push(`network ${network.id}`, () => bed.neutron.networks.delete(network.id));
  const subnet: Subnet = await bed.neutron.subnets.createTagged(
    {
      network_id: network.id,
      name: `${bed.prefix}-${name}`,
      ip_version: 4,
      cidr,
      enable_dhcp: false,
      project_id: bed.projectId,
    },
    [bed.prefix],
  );
  bed.cleanup.push(`subnet ${subnet.id}`, () => bed.neutron.subnets.delete(subnet.id));
  return { network: await bed.neutron.networks.get(network.id), subnet };
}

/** Deletes every port on `networkId` carrying the suite tag (safety net for failed assertions). */
export async function deleteTaggedPorts(bed: ControllerBed, networkId: string): Promise<void> {
  const ports = await bed.neutron.ports.listAll({ network_id: networkId, tags: [bed.prefix] });
  await Promise.all(ports.map((p) => bed.neutron.ports.deleteIfExists(p.id)));
}
