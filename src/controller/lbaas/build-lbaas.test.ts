/**
 * Unit tests of `buildLbaasDeps`: `[octavia_defaults] member_mode` is wired into the sync (L2 members on
 * the pod subnet of the injected pod subnets driver), and L2 without a pod subnets driver is refused
 * before anything is built.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { loadConfig } from '../../common/config/index.js';
import { NeutronClient } from '../../openstack/neutron/index.js';
import { OctaviaClient } from '../../openstack/octavia/index.js';
import { FakeNeutron } from '../../openstack/testing/fake-neutron.js';
import { FakeOctavia } from '../../openstack/testing/fake-octavia.js';
import { DefaultSubnetsDriver } from '../drivers/subnets/default.js';
import { buildLbaasDeps } from './build-lbaas.js';

const log = pino({ level: 'silent' });

async function setUp(mode: string) {
  const neutronFake = new FakeNeutron();
  const octaviaFake = new FakeOctavia();
  const neutron = new NeutronClient(neutronFake);
  const octavia = new OctaviaClient(octaviaFake, {
    clock: { now: () => 0, sleep: () => Promise.resolve() },
  });
  const net = neutronFake.seed('networks', { name: 'n' });
  const svc = neutronFake.seed('subnets', { network_id: net.id, cidr: '10.2.0.0/16' });
  const pods = neutronFake.seed('subnets', { network_id: net.id, cidr: '10.1.0.0/16' });
  const { config } = await loadConfig({
    env: {},
    defaultConfigFiles: [],
    defaultConfigDirs: [],
    overrides: {
      neutron_defaults: { project: 'p1', service_subnet: svc.id, pod_subnet: pods.id },
      octavia_defaults: { member_mode: mode },
    },
  });
  return { neutron, octavia, octaviaFake, config, svc, pods };
}

describe('buildLbaasDeps: member_mode', () => {
  test('L2 without the pod subnets driver is a ConfigurationError naming the key', async () => {
    const s = await setUp('L2');
    assert.throws(
      () => buildLbaasDeps({ neutron: s.neutron, octavia: s.octavia, config: s.config, log }),
      (e: Error) => e.name === 'ConfigurationError' && /member_mode = L2/.test(e.message),
    );
  });

  for (const [mode, expect] of [
    ['L2', 'pods'],
    ['L3', 'svc'],
  ] as const) {
    test(`${mode}: the built sync puts members on the ${expect} subnet`, async () => {
      const s = await setUp(mode);
      const podSubnets = new DefaultSubnetsDriver(s.neutron, s.pods.id);
      const d = buildLbaasDeps({ ...s, log, podSubnets });
      const st = await d.sync.sync(
        {
          metadata: { name: 'web', namespace: 'demo' },
          spec: {
            ip: '10.2.0.10',
            ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }],
            endpointSlices: [
              {
                endpoints: [{ addresses: ['10.1.0.3'], conditions: { ready: true } }],
                ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
              },
            ],
          },
        },
        () => Promise.resolve(),
      );
      const want = expect === 'pods' ? s.pods.id : s.svc.id;
      assert.deepEqual(
        st.members!.map((m) => m.subnet_id),
        [want],
      );
      assert.deepEqual(
        [...s.octaviaFake.members.values()].map((m) => m['subnet_id']),
        [want],
      );
    });
  }
});
