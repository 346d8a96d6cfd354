/**
 * Proof of the `ovs` driver (and the hybrid plug) under the real Neutron OVS agent of the bed
 * (userspace datapath): ports ACTIVE, v4+v6 ping both ways, idempotent re-bind, unbind leaves no links
 * and no OVS ports (test/e2e/binding/proof.ts). Fails with a clear message when the bed has no OVS agent.
 */
import { after, test } from 'node:test';
import { requireOvsOpenStackEnv } from '../../helpers/openstack-env.js';
import { Cleanup, runBindingProof } from './proof.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

test('ovs driver: two netns on one Neutron network under the OVS agent', async () => {
  const env = requireOvsOpenStackEnv();
  await runBindingProof(
    { env, host: env.ovsBindingHost, expectVifType: 'ovs', octet: 212 },
    cleanup,
  );
});

test('ovs hybrid plug (qbr + qvb/qvo) under the OVS agent', async () => {
  const env = requireOvsOpenStackEnv();
  await runBindingProof(
    { env, host: env.ovsBindingHost, expectVifType: 'ovs', force: 'ovs-hybrid', octet: 213 },
    cleanup,
  );
});
