/** Integration: a dual-stack attach gives one port with both addresses and Join returns both gateways. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idTags } from '../../../src/common/tags.js';
import {
  attach,
  type Bed,
  createDockerNetwork,
  detach,
  removeDockerNetwork,
  startBed,
} from './harness.js';

describe('libnetwork dual stack (real Neutron)', () => {
  let bed: Bed;
  before(async () => {
    bed = await startBed();
  });
  after(async () => {
    await bed?.close();
  });

  test('one port carries the v4 and v6 address; Join has Gateway and GatewayIPv6', async () => {
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.234.1.0/24' },
      v6: { pool: 'fd31:7c:1::/64' },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    const ep = await attach(bed, net);
    assert.equal(ep.createEndpoint.status, 200, JSON.stringify(ep.createEndpoint.body));
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body));
    assert.equal(ep.join?.body.Gateway, '10.234.1.1');
    assert.equal(ep.join?.body.GatewayIPv6, 'fd31:7c:1::1');
    const ports = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.equal(ports.length, 1);
    assert.equal(ports[0]?.fixed_ips.length, 2);
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200, 200]);
    assert.equal((await bed.neutron.list('ports', { id: ports[0]?.id ?? '' })).length, 0);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200, 200, 200]);
  });
});
