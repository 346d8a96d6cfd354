/**
 * Proof of the `bridge` driver under the real linuxbridge agent: two netns, two Neutron ports ACTIVE,
 * v4+v6 ping both ways, idempotent re-bind, unbind leaves nothing (test/e2e/binding/proof.ts).
 */
import { after, test } from 'node:test';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { Cleanup, runBindingProof } from './proof.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

test('bridge driver: two netns on one Neutron network under the linuxbridge agent', async () => {
  const env = requireOpenStackEnv();
  if (env.vifType !== 'bridge' || !env.bindingHost) {
    throw new Error(
      `bed has no linuxbridge agent (KURYR_VIF_TYPE=${env.vifType}); run KURYR_OS_AGENT=both scripts/openstack.sh start`,
    );
  }
  await runBindingProof(
    { env, host: env.bindingHost, expectVifType: 'bridge', octet: 211 },
    cleanup,
  );
});
