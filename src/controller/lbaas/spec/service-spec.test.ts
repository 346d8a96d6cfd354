import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../common/config/index.js';
import {
  ConfigurationError,
  UnsupportedError,
  ValidationError,
} from '../../../common/errors/index.js';
import type { KubeObject } from '../../../k8s/object.js';
import { DefaultProjectDriver } from '../../drivers/project/default.js';
import { DefaultSecurityGroupsDriver } from '../../drivers/security-groups/default.js';
import { fakeCloud, silentLog } from '../../drivers/testing/fake-cloud.js';
import { buildServiceSpecDeps, octaviaProvider, type ServiceSpecDeps } from './deps.js';
import { buildServiceSpecPart, serviceSkipReason, specPatch } from './service-spec.js';

const deps: ServiceSpecDeps = {
  project: new DefaultProjectDriver('proj'),
  securityGroups: new DefaultSecurityGroupsDriver(['sg-b', 'sg-a']),
  subnetId: 'svc-subnet',
  provider: 'amphora',
  timeoutClientData: 0,
  timeoutMemberData: 0,
};

function svc(spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'u1', ...(annotations ? { annotations } : {}) },
    spec,
  };
}

test('skip reasons: headless, ExternalName, default/kubernetes; supported types pass', () => {
  assert.match(serviceSkipReason(svc({ clusterIP: 'None' })) ?? '', /headless/);
  assert.match(
    serviceSkipReason(svc({ type: 'ExternalName', externalName: 'x.example' })) ?? '',
    /ExternalName/,
  );
  const apiSvc = {
    metadata: { name: 'kubernetes', namespace: 'default' },
    spec: { clusterIP: '10.0.0.1' },
  };
  assert.match(serviceSkipReason(apiSvc) ?? '', /default\/kubernetes/);
  for (const type of ['ClusterIP', 'NodePort', 'LoadBalancer', undefined]) {
    assert.equal(serviceSkipReason(svc({ type, clusterIP: '10.0.0.5' })), undefined, type);
  }
});

test('spec part: ports with string targetPort and TCP default, NodePort as ClusterIP, sorted SGs', async () => {
  const part = await buildServiceSpecPart(
    svc({
      type: 'NodePort',
      clusterIP: '10.0.0.5',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 },
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns-port' },
        { port: 9000 },
      ],
    }),
    deps,
  );
  assert.deepEqual(part, {
    ip: '10.0.0.5',
    ports: [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns-port' },
      { port: 9000, protocol: 'TCP', targetPort: '9000' },
    ],
    project_id: 'proj',
    security_groups_ids: ['sg-a', 'sg-b'],
    subnet_id: 'svc-subnet',
    type: 'ClusterIP',
    provider: 'amphora',
    timeout_client_data: 0,
    timeout_member_data: 0,
  });
});

test('LoadBalancer: lb_ip from loadBalancerIP; timeouts from annotations over config', async () => {
  const part = await buildServiceSpecPart(
    svc(
      { type: 'LoadBalancer', clusterIP: '10.0.0.6', loadBalancerIP: '172.24.4.50', ports: [] },
      { 'openstack.org/kuryr-timeout-client-data': '70000' },
    ),
    { ...deps, timeoutClientData: 5, timeoutMemberData: 6 },
  );
  assert.equal(part.type, 'LoadBalancer');
  assert.equal(part.lb_ip, '172.24.4.50');
  assert.equal(part.timeout_client_data, 70000);
  assert.equal(part.timeout_member_data, 6);
  await assert.rejects(
    buildServiceSpecPart(
      svc({ clusterIP: '10.0.0.6' }, { 'openstack.org/kuryr-timeout-member-data': '5s' }),
      deps,
    ),
    (e: unknown) => e instanceof ValidationError && /timeout-member-data.*'5s'/.test(e.message),
  );
});

test('specPatch: only changed keys; removable keys absent in desired become null', () => {
  const current = {
    ip: '10.0.0.1',
    lb_ip: '1.2.3.4',
    ports: [{ port: 80, protocol: 'TCP', targetPort: '80' }],
  };
  assert.equal(specPatch(current, { ip: '10.0.0.1', ports: current.ports }), undefined);
  assert.deepEqual(specPatch(current, { ip: '10.0.0.1' }, ['lb_ip']), { lb_ip: null });
  assert.deepEqual(specPatch(current, { ip: '10.0.0.2', endpointSlices: [] }), {
    ip: '10.0.0.2',
    endpointSlices: [],
  });
});

test('buildServiceSpecDeps: service_subnet required, only the default subnets driver, provider default=amphora', () => {
  const cloud = fakeCloud();
  const config = defaultConfig();
  config.neutronDefaults.project = 'p';
  config.neutronDefaults.podSecurityGroups = ['sg'];
  assert.throws(
    () => buildServiceSpecDeps({ neutron: cloud.neutron, config, log: silentLog }),
    (e: unknown) => e instanceof ConfigurationError && /service_subnet/.test(e.message),
  );
  config.neutronDefaults.serviceSubnet = 'svc';
  const d = buildServiceSpecDeps({ neutron: cloud.neutron, config, log: silentLog });
  assert.equal(d.subnetId, 'svc');
  assert.equal(d.provider, 'amphora');
  assert.equal(octaviaProvider('ovn'), 'ovn');
  config.kubernetes.serviceSubnetsDriver = 'namespace';
  assert.throws(
    () => buildServiceSpecDeps({ neutron: cloud.neutron, config, log: silentLog }),
    UnsupportedError,
  );
});
