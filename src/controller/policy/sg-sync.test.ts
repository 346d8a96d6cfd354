import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { SgRuleFields } from '../../k8s/crds/types.js';
import { Conflict } from '../../openstack/http/errors.js';
import type { ApiRequest, ApiResponse } from '../../openstack/http/types.js';
import { NeutronClient } from '../../openstack/neutron/index.js';
import { FakeNeutron } from '../../openstack/testing/fake-neutron.js';
import { PolicySgSync, policySgName, ruleKey } from './sg-sync.js';

/** FakeNeutron + what real Neutron does with SGs: two default egress rules on create. */
class SgFakeNeutron extends FakeNeutron {
  override async request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    const res = await super.request<T>(req);
    if (req.method === 'POST' && req.path.endsWith('/security-groups')) {
      const sg = (res.body as { security_group: { id: string; security_group_rules: unknown[] } })
        .security_group;
      for (const ethertype of ['IPv4', 'IPv6']) {
        sg.security_group_rules.push(
          this.seed('security-group-rules', {
            security_group_id: sg.id,
            direction: 'egress',
            ethertype,
          }),
        );
      }
    }
    return res;
  }
}

const D = 'Kuryr-Kubernetes NetPolicy SG rule';
const tcp = (port: number, prefix: string): SgRuleFields => ({
  description: D,
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  port_range_min: port,
  port_range_max: port,
  remote_ip_prefix: prefix,
});
const allV6Out: SgRuleFields = { description: D, direction: 'egress', ethertype: 'IPv6' };

describe('PolicySgSync', () => {
  let fake: SgFakeNeutron;
  let sync: PolicySgSync;
  const writes = () => fake.requests.filter((r) => r.method !== 'GET');
  beforeEach(() => {
    fake = new SgFakeNeutron('proj-1');
    sync = new PolicySgSync(new NeutronClient(fake), pino({ level: 'silent' }), {
      projectId: 'proj-1',
    });
  });

  it('creates the SG, strips the default egress rules, creates the rules in one bulk request', async () => {
    const status = await sync.ensure('ns1', 'allow-web', [tcp(80, '10.0.0.0/24'), allV6Out]);
    const [sg] = fake.all('security-groups');
    assert.equal(sg?.['name'], 'sg/ns1-allow-web');
    assert.equal(sg?.['project_id'], 'proj-1');
    assert.equal(status.securityGroupId, sg?.id);
    const rules = fake.all('security-group-rules');
    assert.equal(rules.length, 2);
    assert.deepEqual(
      status.securityGroupRules.map(({ id: _id, ...r }) => r),
      [
        { ...tcp(80, '10.0.0.0/24'), security_group_id: sg?.id },
        { ...allV6Out, security_group_id: sg?.id },
      ],
    );
    const posts = writes().filter(
      (r) => r.method === 'POST' && r.path.endsWith('security-group-rules'),
    );
    assert.equal(posts.length, 1);
  });

  it('never churns unchanged rules; a change adds and deletes exactly the difference', async () => {
    const first = await sync.ensure('ns1', 'p', [tcp(80, '10.0.0.0/24'), tcp(443, '10.0.0.0/24')]);
    fake.requests.length = 0;
    const again = await sync.ensure('ns1', 'p', [tcp(443, '10.0.0.0/24'), tcp(80, '10.0.0.0/24')]);
    assert.deepEqual(writes(), [], 'no writes when nothing changed');
    assert.deepEqual(
      new Set(again.securityGroupRules.map((r) => r.id)),
      new Set(first.securityGroupRules.map((r) => r.id)),
    );

    const id80 = first.securityGroupRules.find((r) => r.port_range_min === 80)?.id;
    const changed = await sync.ensure('ns1', 'p', [
      tcp(80, '10.0.0.5/24'),
      tcp(8443, '10.0.0.0/24'),
    ]);
    assert.equal(
      changed.securityGroupRules[0]?.id,
      id80,
      '10.0.0.5/24 is the same rule as 10.0.0.0/24',
    );
    assert.equal(changed.securityGroupRules[1]?.port_range_min, 8443);
    const w = writes();
    assert.equal(w.filter((r) => r.method === 'POST').length, 1);
    assert.equal(w.filter((r) => r.method === 'DELETE').length, 1);
    assert.equal(fake.all('security-group-rules').length, 2);
  });

  it('collapses duplicate desired rules (Neutron would refuse them)', async () => {
    const status = await sync.ensure('ns1', 'p', [tcp(80, '10.0.0.1/32'), tcp(80, '10.0.0.1')]);
    assert.equal(status.securityGroupRules.length, 1);
  });

  it('recovers an SG left with its default rules by a crash (found by name, defaults removed)', async () => {
    const sg = fake.seed('security-groups', { name: 'sg/ns1-p', project_id: 'proj-1' });
    fake.seed('security-group-rules', {
      security_group_id: sg.id,
      direction: 'egress',
      ethertype: 'IPv4',
    });
    fake.seed('security-group-rules', {
      security_group_id: sg.id,
      direction: 'egress',
      ethertype: 'IPv6',
    });
    fake.seed('security-groups', { name: 'sg/ns1-p', project_id: 'other-project' });
    const status = await sync.ensure('ns1', 'p', [tcp(22, '192.168.0.0/16')]);
    assert.equal(status.securityGroupId, sg.id);
    assert.equal(fake.all('security-groups').length, 2, 'no second SG in our project');
    assert.deepEqual(
      fake.all('security-group-rules').map((r) => r['port_range_min']),
      [22],
    );
  });

  it('a bulk create conflicting with a late rule re-reads and retries once', async () => {
    await sync.ensure('ns1', 'p', []);
    let failed = false;
    fake.failWith = (req) => {
      if (failed || req.method !== 'POST' || !req.path.endsWith('security-group-rules'))
        return undefined;
      failed = true;
      const sgId = fake.all('security-groups')[0]?.id;
      fake.seed('security-group-rules', { ...tcp(80, '10.0.0.0/24'), security_group_id: sgId });
      return new Conflict('Security group rule already exists.', { status: 409 });
    };
    const status = await sync.ensure('ns1', 'p', [tcp(80, '10.0.0.0/24'), tcp(81, '10.0.0.0/24')]);
    assert.equal(status.securityGroupRules.length, 2);
    assert.equal(fake.all('security-group-rules').length, 2);
  });

  it('remove deletes the SG; removing again (and by a gone id) is success', async () => {
    const status = await sync.ensure('ns1', 'p', [allV6Out]);
    assert.equal(await sync.remove('ns1', 'p'), true);
    assert.equal(fake.all('security-groups').length, 0);
    assert.equal(await sync.remove('ns1', 'p'), false);
    assert.equal(await sync.removeById(status.securityGroupId), false);
  });
});

describe('policySgName / ruleKey', () => {
  it('names sg/<ns>-<policy>, truncating the policy to 255 chars', () => {
    assert.equal(policySgName('default', 'deny'), 'sg/default-deny');
    const long = policySgName('ns', 'x'.repeat(300));
    assert.equal(long.length, 255);
    assert.ok(long.startsWith('sg/ns-xxx'));
  });
  it('folds equivalent spellings', () => {
    const base = { direction: 'ingress', ethertype: 'IPv4' };
    assert.equal(ruleKey({ ...base, protocol: 'TCP' }), ruleKey({ ...base, protocol: 'tcp' }));
    assert.equal(
      ruleKey({ ...base, protocol: 'tcp', port_range_min: 1, port_range_max: 65535 }),
      ruleKey({ ...base, protocol: 'tcp', port_range_min: null, port_range_max: null }),
    );
    assert.equal(ruleKey({ ...base, remote_ip_prefix: '0.0.0.0/0' }), ruleKey(base));
    assert.equal(
      ruleKey({ ...base, ethertype: 'IPv6', remote_ip_prefix: 'FD00:0::1/128' }),
      ruleKey({ ...base, ethertype: 'IPv6', remote_ip_prefix: 'fd00::1/128' }),
    );
    assert.notEqual(ruleKey({ ...base, remote_group_id: 'g' }), ruleKey(base));
    assert.notEqual(ruleKey({ ...base, direction: 'egress' }), ruleKey(base));
  });
});
