/**
 * Integration (issue #6 "leader hand-over"): two REAL `kuryr controller` processes with
 * `controller_ha = True` on the same Lease of the REAL kube-apiserver, REAL Neutron. Only the leader
 * works (the standby logs no handler activity); the leader is stopped with SIGTERM (it finishes its
 * running handlers, then releases the Lease) or SIGKILL (the Lease expires) while pods are being wired;
 * the standby takes over within the lease duration, finishes every pending pod, and no port is handed
 * out twice or leaked.
 *
 * Variants: SIGTERM with the `noop` pool; SIGKILL with the `neutron` pool.
 *
 * @module test/integration/controller/ha.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { Lease } from '../../../src/k8s/lease.js';
import type { Network, Subnet } from '../../../src/openstack/neutron/index.js';
import type { ControllerProcess } from '../../helpers/controller-process.js';
import { makePodNetwork, type ControllerBed } from './controller-bed.js';
import {
  checkWiring,
  createPods,
  deletePodsAndWait,
  RobustnessSuite,
  waitUntil,
  wiredCount,
} from './restart-harness.js';

const PODS = 20;
/** The controller's defaults (src/k8s/lease.ts): lease 15 s, one try every 2 s. */
const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
const WORK_MSGS = new Set(['KuryrPort created', 'VIF written', 'VIF released']);

describe('controller HA hand-over on a real Lease (real kuryr controllers, apiserver, Neutron)', () => {
  const suite = new RobustnessSuite();
  let bed: ControllerBed;
  let kube: KubeClient;

  before(async () => {
    await suite.open('kc2-ha');
    ({ bed, kube } = suite);
  });

  after(() => suite.close());

  const lease = (ns: string): Promise<Lease | undefined> =>
    kube.get(KINDS.lease, 'kuryr-controller', ns).catch(() => undefined);
  const holder = async (ns: string) => (await lease(ns))?.spec?.holderIdentity ?? '';
  const worked = (c: ControllerProcess) =>
    c.records().filter((r) => WORK_MSGS.has(String(r['msg']))).length;
  const activations = (c: ControllerProcess) =>
    c.records().filter((r) => r['msg'] === 'controller active').length;

  async function handOver(signal: 'SIGTERM' | 'SIGKILL', pool: 'noop' | 'neutron', cidr: string) {
    const ns = `${bed.prefix}-${signal.toLowerCase()}`;
    const { network, subnet }: { network: Network; subnet: Subnet } = await makePodNetwork(
      bed,
      signal.toLowerCase(),
      cidr,
    );
    await suite.namespace(signal.toLowerCase());
    const start = (name: string) =>
      suite.start({
        podSubnetId: subnet.id,
        vifPoolDriver: pool,
        vifPool: { min: 0, batch: 3, updateFrequency: 0 },
        ha: { leaseNamespace: ns },
        watchNamespace: ns,
        // Two workers: a SIGTERMed leader drains only what it is running, so pods are left for the
        // standby to finish (with the default 32 the leader's drain would wire all 30 by itself).
        env: { POD_NAME: name, OS_KUBERNETES__HANDLER_WORKERS: '2' },
      });
    const a = start('kc2-a');
    await waitUntil(
      'controller a to lead',
      60_000,
      async () => ((await holder(ns)).startsWith('kc2-a-') && activations(a) === 1) || undefined,
      [a],
    );
    const b = start('kc2-b');
    await waitUntil(
      'controller b to run as standby',
      60_000,
      () => b.records().some((r) => r['msg'] === 'controller started') || undefined,
      [b],
    );

    const uids = await createPods(kube, ns, bed.env.bindingHost, PODS);
    const wired = await waitUntil(
      'the leader to wire the first pods',
      120_000,
      async () => {
        const n = await wiredCount(kube, ns);
        return n >= 3 ? n : undefined;
      },
      [a, b],
    );
    assert.equal(activations(b), 0, 'the standby is not active');
    assert.equal(worked(b), 0, 'the standby handled nothing');
    assert.ok(worked(a) > 0, 'the leader works');

    const lastByA = await lease(ns);
    const exit = await a.stop(signal);
    assert.ok(wired < PODS, `stopped mid-flight (${wired}/${PODS} wired)`);
    if (signal === 'SIGTERM') {
      assert.equal(exit, 0, `a SIGTERMed controller exits cleanly:\n${a.log()}`);
    }
    const lastRenewA = Date.parse((await lease(ns))?.spec?.renewTime ?? '') || 0;
    const taken = await waitUntil(
      'controller b to take the Lease over',
      LEASE_MS + 4 * RETRY_MS + 30_000,
      async () => {
        const l = await lease(ns);
        return l?.spec?.holderIdentity?.startsWith('kc2-b-') ? l : undefined;
      },
      [a, b],
    );
    const acquired = Date.parse(taken.spec?.acquireTime ?? '');
    // The Lease's own timestamps (both written by this machine's clock): b acquired no later than one
    // lease duration after a's last renewal, plus the standby's try period and start-up slack.
    assert.ok(
      acquired - Math.max(lastRenewA, Date.parse(lastByA?.spec?.renewTime ?? '') || 0) <=
        LEASE_MS + 2 * RETRY_MS,
      `takeover within the lease duration (renew ${lastRenewA}, acquire ${acquired})`,
    );
    assert.equal(
      taken.spec?.leaseTransitions,
      (lastByA?.spec?.leaseTransitions ?? 0) + (signal === 'SIGKILL' ? 1 : 0),
      'a released Lease is taken without a transition count, an expired one with one',
    );

    await waitUntil(
      `all ${PODS} KuryrPorts to carry a VIF after the hand-over`,
      180_000,
      async () => ((await wiredCount(kube, ns)) === PODS ? true : undefined),
      [a, b],
    );
    await waitUntil('b to log its activation', 30_000, () => activations(b) > 0 || undefined, [b]);
    assert.equal(activations(b), 1, 'b became active once');
    const w = await checkWiring(bed, kube, ns, uids, [network.id]);
    if (pool === 'noop') assert.equal(w.freePool.length, 0);

    await deletePodsAndWait(kube, ns, [b]);
    const left = await checkWiring(bed, kube, ns, new Map(), [network.id]);
    if (pool === 'noop') assert.equal(left.freePool.length, 0, 'every pod port deleted');
    else {
      assert.equal(
        left.freePool.length,
        w.referenced.size + w.freePool.length,
        'every pod port went back into the pool, none lost',
      );
    }
    await b.stop('SIGTERM');
    assert.equal(await holder(ns), '', 'the last leader released the Lease on SIGTERM');
    // pool ports outlive the controllers by design (recovered by the next leader); drop them here
    const ports = await bed.neutron.ports.listAll({ network_id: network.id });
    await Promise.all(ports.map((p) => bed.neutron.ports.deleteIfExists(p.id)));
  }

  test('SIGTERM of the leader (noop pool): released Lease, standby finishes, no double allocation', () =>
    handOver('SIGTERM', 'noop', '10.249.0.0/24'));

  test('SIGKILL of the leader (neutron pool): Lease expires, standby finishes, no leak', () =>
    handOver('SIGKILL', 'neutron', '10.249.1.0/24'));
});
