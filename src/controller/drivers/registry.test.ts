import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../common/config/index.js';
import { ConfigurationError, UnsupportedError } from '../../common/errors/index.js';
import type { DriverDeps } from './deps.js';
import { createPodVifDriver, POD_VIF_DRIVERS } from './pod-vif/registry.js';
import { createProjectDriver } from './project/registry.js';
import { createSecurityGroupsDriver } from './security-groups/registry.js';
import { createPodSubnetsDriver } from './subnets/registry.js';
import { fakeCloud, silentLog } from './testing/fake-cloud.js';
import { createVifPoolDriver } from './vif-pool/registry.js';

function deps(edit: (c: ReturnType<typeof defaultConfig>) => void = () => undefined): DriverDeps {
  const config = defaultConfig();
  edit(config);
  return { neutron: fakeCloud().neutron, config, log: silentLog };
}

test('every Python pod_vif alias is registered', () => {
  assert.deepEqual(Object.keys(POD_VIF_DRIVERS).sort(), [
    'nested-dpdk',
    'nested-macvlan',
    'nested-vlan',
    'neutron-vif',
  ]);
  assert.equal(createPodVifDriver('neutron-vif', deps()).alias, 'neutron-vif');
  assert.equal(createPodVifDriver('nested-vlan', deps()).alias, 'nested-vlan');
  assert.equal(createPodVifDriver('nested-macvlan', deps()).alias, 'nested-macvlan');
});

test('an unknown alias names the key and lists the valid values', () => {
  assert.throws(
    () => createPodVifDriver('neutron_vif', deps()),
    (e: unknown) =>
      e instanceof ConfigurationError &&
      e.message.includes('[kubernetes] pod_vif_driver') &&
      e.message.includes("'neutron_vif'") &&
      e.message.includes('nested-macvlan, nested-vlan, neutron-vif'),
  );
  assert.throws(() => createVifPoolDriver('pool', deps(), {} as never), ConfigurationError);
  assert.throws(() => createPodSubnetsDriver('namespaces', deps()), ConfigurationError);
  assert.throws(() => createProjectDriver('annotations', deps()), ConfigurationError);
  assert.throws(() => createSecurityGroupsDriver('defaults', deps()), ConfigurationError);
  // prototype keys are not aliases
  assert.throws(() => createPodVifDriver('toString', deps()), ConfigurationError);
});

test('known but unimplemented aliases are refused explicitly', () => {
  assert.throws(() => createPodVifDriver('nested-dpdk', deps()), UnsupportedError);
  const driver = createPodVifDriver('neutron-vif', deps());
  assert.throws(() => createVifPoolDriver('multi_pool', deps(), driver), UnsupportedError);
  assert.equal(createVifPoolDriver('neutron', deps(), driver).alias, 'neutron');
  assert.equal(createVifPoolDriver('noop', deps(), driver).alias, 'noop');
});

test('drivers needing a setting fail at creation with the original key', () => {
  assert.throws(() => createPodSubnetsDriver('default', deps()), /\[neutron_defaults\] pod_subnet/);
  assert.throws(
    () => createPodSubnetsDriver('namespace', deps()),
    /\[namespace_subnet\] pod_router/,
  );
  assert.throws(() => createProjectDriver('default', deps()), /\[neutron_defaults\] project/);
  assert.throws(
    () => createSecurityGroupsDriver('default', deps()),
    /\[neutron_defaults\] pod_security_groups/,
  );
});

test('project drivers: default and annotation with fallback', async () => {
  const d = deps((c) => (c.neutronDefaults.project = 'p-default'));
  assert.equal(
    await createProjectDriver('default', d).getProjectId({ namespace: 'a' }),
    'p-default',
  );
  const ann = createProjectDriver('annotation', {
    ...d,
    namespaceAnnotations: (ns) =>
      Promise.resolve<Record<string, string>>(
        ns === 'team' ? { 'openstack.org/kuryr-project': 'p-team' } : {},
      ),
  });
  assert.equal(await ann.getProjectId({ namespace: 'team' }), 'p-team');
  assert.equal(await ann.getProjectId({ namespace: 'other' }), 'p-default');
  assert.equal(
    await ann.getProjectId({
      namespace: 'x',
      namespaceAnnotations: { 'openstack.org/kuryr-project': 'p-x' },
    }),
    'p-x',
  );
});

test('default subnets and security groups come from [neutron_defaults]', async () => {
  const cloud = fakeCloud();
  const config = defaultConfig();
  config.neutronDefaults.podSubnet = cloud.subnet.id;
  config.neutronDefaults.podSecurityGroups = ['sg-1', 'sg-2'];
  const d = { neutron: cloud.neutron, config, log: silentLog };
  const [s] = await createPodSubnetsDriver('default', d).getSubnets({ namespace: 'a' });
  assert.equal(s?.subnet.id, cloud.subnet.id);
  assert.equal(s?.network.id, cloud.network.id);
  assert.deepEqual(
    await createSecurityGroupsDriver('default', d).getSecurityGroups({ namespace: 'a', name: 'p' }),
    ['sg-1', 'sg-2'],
  );
});
