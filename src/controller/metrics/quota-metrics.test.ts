import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Port, QuotaDetails, Subnet } from '../../openstack/neutron/index.js';
import { addressValue, freePoolAddresses } from './pool-addresses.js';
import { QuotaMetrics, type QuotaMetricsDeps } from './quota-metrics.js';

const detail = (limit: number, used: number) => ({ limit, used, reserved: 0 });

interface FakeState {
  details: QuotaDetails;
  subnets: Partial<Subnet>[];
  ports: Record<string, Partial<Port>[]>;
  fail?: Error;
  hang?: boolean;
}

function fakeNeutron(state: FakeState) {
  const calls: string[] = [];
  const answer = <T>(what: string, value: () => T, signal?: AbortSignal): Promise<T> => {
    calls.push(what);
    if (state.fail) return Promise.reject(state.fail);
    if (state.hang) {
      // like the transport: only the deadline ends it
      return new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(new Error('aborted by the deadline'))),
      );
    }
    return Promise.resolve(value());
  };
  const neutron = {
    quotas: {
      getDetails: (_p: string, o: { signal?: AbortSignal }) =>
        answer('details', () => state.details, o.signal),
    },
    subnets: {
      // like Neutron: with `fields`, only those fields come back
      listAll: (f: { fields: (keyof Subnet)[] }, o: { signal?: AbortSignal }) =>
        answer(
          'subnets',
          () => state.subnets.map((s) => Object.fromEntries(f.fields.map((k) => [k, s[k]]))),
          o.signal,
        ),
    },
    ports: {
      listAll: (f: { fixed_ips: string[] }, o: { signal?: AbortSignal }) => {
        const id = f.fixed_ips[0]!.replace('subnet_id=', '');
        return answer(`ports ${id}`, () => state.ports[id] ?? [], o.signal);
      },
    },
  } as unknown as QuotaMetricsDeps['neutron'];
  return { neutron, calls };
}

async function scrape(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of await registry.getMetricsAsJSON()) {
    for (const v of m.values) {
      const labels = Object.entries(v.labels)
        .map(([k, l]) => `${k}=${String(l)}`)
        .join(',');
      out[`${m.name}{${labels}}`] = v.value;
    }
  }
  return out;
}

function setup(state: FakeState, timeoutMs = 5000) {
  const { neutron, calls } = fakeNeutron(state);
  const registry = new Registry();
  const warnings: string[] = [];
  const log = pino({ level: 'silent' });
  log.warn = ((_o: unknown, msg: string) => void warnings.push(msg)) as typeof log.warn;
  let clock = 0;
  const metrics = new QuotaMetrics(registry, {
    neutron,
    projectId: 'pj',
    log,
    timeoutMs,
    now: () => clock,
  });
  return { registry, metrics, calls, warnings, tick: () => (clock += 2000) };
}

const STATE = (): FakeState => ({
  details: {
    port: detail(50, 12),
    subnet: detail(10, 3),
    network: detail(-1, 4),
    security_group: detail(5, 7), // over-used after a quota cut
    security_group_rule: detail(100, 100),
  },
  subnets: [
    {
      id: 's-ns',
      name: 'ns/web-subnet',
      allocation_pools: [
        { start: '10.0.0.2', end: '10.0.0.11' },
        { start: '10.0.0.20', end: '10.0.0.24' },
      ],
    },
    { id: 's-other', name: 'pods', allocation_pools: [{ start: '10.1.0.2', end: '10.1.0.254' }] },
  ],
  ports: {
    's-ns': [
      { fixed_ips: [{ subnet_id: 's-ns', ip_address: '10.0.0.5' }] },
      { fixed_ips: [{ subnet_id: 's-ns', ip_address: '10.0.0.21' }] },
      { fixed_ips: [{ subnet_id: 's-ns', ip_address: '10.0.0.1' }] }, // gateway: outside the pools
    ],
  },
});

test('quota gauges: limit − used per resource, −1 unlimited, 0 when over-used; namespace subnets only', async () => {
  const b = setup(STATE());
  const m = await scrape(b.registry);
  assert.equal(m['kuryr_quota_free_count{resource=ports}'], 38);
  assert.equal(m['kuryr_quota_free_count{resource=subnets}'], 7);
  assert.equal(m['kuryr_quota_free_count{resource=networks}'], -1);
  assert.equal(m['kuryr_quota_free_count{resource=security_groups}'], 0);
  assert.equal(m['kuryr_quota_free_count{resource=security_group_rules}'], 0);
  // 10 + 5 pool addresses, two of them used
  assert.equal(m['kuryr_port_quota_per_subnet{subnet_id=s-ns,subnet_name=ns/web-subnet}'], 13);
  assert.ok(!Object.keys(m).some((k) => k.includes('s-other')), 'non-namespace subnet left out');
  assert.deepEqual(b.calls.sort(), ['details', 'ports s-ns', 'subnets'], 'one refresh per scrape');
});

test('quota gauges: a failing Neutron keeps the last values, warns once, and the scrape answers', async () => {
  const state = STATE();
  const b = setup(state);
  await scrape(b.registry);
  state.fail = new Error('503 from Neutron');
  state.details = { port: detail(50, 49) };
  b.tick();
  let m = await scrape(b.registry);
  b.tick();
  m = await scrape(b.registry);
  assert.equal(m['kuryr_quota_free_count{resource=ports}'], 38, 'last good value kept');
  assert.equal(m['kuryr_port_quota_per_subnet{subnet_id=s-ns,subnet_name=ns/web-subnet}'], 13);
  assert.equal(b.warnings.length, 1, 'logged once, not once per scrape');
  delete state.fail;
  b.tick();
  m = await scrape(b.registry);
  assert.equal(m['kuryr_quota_free_count{resource=ports}'], 1);
});

test('quota gauges: a Neutron that never answers ends at the deadline; the scrape still answers', async () => {
  const state = STATE();
  state.hang = true;
  const b = setup(state, 100);
  const m = await scrape(b.registry);
  assert.equal(m['kuryr_quota_free_count{resource=ports}'], undefined, 'no value yet, no hang');
  assert.equal(b.warnings.length, 1);
});

test('free pool addresses: IPv4 and IPv6 ranges, addresses of other subnets ignored', () => {
  assert.equal(addressValue('10.0.0.1'), 0x0a000001n);
  assert.equal(addressValue('::ffff:10.0.0.1'), 0xffff0a000001n);
  assert.equal(addressValue('2001:db8::1'), 0x20010db8000000000000000000000001n);
  assert.equal(addressValue('nope'), undefined);
  const ports = [
    { fixed_ips: [{ subnet_id: 'v6', ip_address: '2001:db8::10' }] },
    { fixed_ips: [{ subnet_id: 'other', ip_address: '2001:db8::11' }] },
  ];
  assert.equal(
    freePoolAddresses('v6', [{ start: '2001:db8::2', end: '2001:db8::ff' }], ports),
    253,
  );
  assert.equal(freePoolAddresses('v6', [], ports), 0);
});
