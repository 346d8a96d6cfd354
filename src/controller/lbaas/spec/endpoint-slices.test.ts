import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlicesOf, isHeadlessEndpoints } from './endpoint-slices.js';

test('subsets → one slice per subset with its own ready addresses, sorted, not-ready left out', () => {
  const ep = {
    metadata: { name: 'web', namespace: 'ns' },
    subsets: [
      {
        addresses: [
          {
            ip: '10.1.0.9',
            nodeName: 'n1',
            targetRef: { kind: 'Pod', name: 'b', namespace: 'ns', uid: 'ub', fieldPath: 'x' },
          },
          { ip: '10.1.0.3', hostname: 'a' },
        ],
        notReadyAddresses: [{ ip: '10.1.0.7' }],
        ports: [
          { name: 'https', port: 8443, protocol: 'TCP' },
          { name: 'http', port: 8080 },
        ],
      },
      { addresses: [{ ip: '10.1.0.4' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
      { notReadyAddresses: [{ ip: '10.1.0.5' }], ports: [{ name: 'x', port: 1 }] },
    ],
  };
  assert.deepEqual(endpointSlicesOf(ep), [
    {
      endpoints: [{ addresses: ['10.1.0.4'], conditions: { ready: true } }],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    },
    {
      endpoints: [
        { addresses: ['10.1.0.3'], conditions: { ready: true }, hostname: 'a' },
        {
          addresses: ['10.1.0.9'],
          conditions: { ready: true },
          targetRef: { kind: 'Pod', name: 'b', namespace: 'ns', uid: 'ub' },
          topology: { 'kubernetes.io/hostname': 'n1' },
        },
      ],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'https', port: 8443, protocol: 'TCP' },
      ],
    },
  ]);
});

test('no Endpoints / no subsets / scaled to zero → no slices; headless label detected', () => {
  assert.deepEqual(endpointSlicesOf(undefined), []);
  assert.deepEqual(endpointSlicesOf({ metadata: {} }), []);
  assert.deepEqual(endpointSlicesOf({ subsets: [{ ports: [{ port: 80 }] }] }), []);
  assert.equal(
    isHeadlessEndpoints({ metadata: { labels: { 'service.kubernetes.io/headless': '' } } }),
    true,
  );
  assert.equal(isHeadlessEndpoints({ metadata: { labels: { app: 'x' } } }), false);
});
