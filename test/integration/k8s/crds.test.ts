/**
 * The shipped CRDs (deploy/crds/*.yaml) on a real kube-apiserver: they apply, accept valid objects,
 * reject invalid ones with 422 (ValidationError), have no status subresource (status is written by a
 * JSON patch on the main resource), keep unknown VIF fields, and carry the original printer columns.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isValidationError } from '../../../src/common/errors/index.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { FINALIZER_KURYRPORT, LABEL_KURYRPORT_NODE } from '../../../src/k8s/constants.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { applyCrds, connectKube, CRD_KIND, createNamespace, deleteNamespace } from './kube-env.js';

let api: KubeClient;
let ns: string;

before(async () => {
  api = await connectKube();
  await applyCrds(api);
  ns = await createNamespace(api, 'crd');
});
after(async () => deleteNamespace(api, ns));

test('a missing kube-apiserver fails with a clear message', async () => {
  await assert.rejects(
    connectKube('/nonexistent/kubeconfig'),
    /no kube-apiserver.*scripts\/kube\.sh start/,
  );
});

test('CRDs: group, scope, short names, printer columns, no status subresource', async () => {
  const expected: Record<string, [string, string[]]> = {
    'kuryrports.openstack.org': ['kp', ['PodUID', 'Nodename', 'labels']],
    'kuryrnetworks.openstack.org': ['kns', ['SUBNET-CIDR', 'Age']],
    'kuryrnetworkpolicies.openstack.org': ['knp', ['SG-ID', 'Age']],
    'kuryrloadbalancers.openstack.org': ['klb', ['PROJECT-ID', 'Age']],
  };
  for (const [name, [short, columns]] of Object.entries(expected)) {
    const crd = (await api.get(CRD_KIND, name)) as {
      spec: {
        group: string;
        scope: string;
        names: { shortNames: string[] };
        versions: {
          name: string;
          subresources?: unknown;
          additionalPrinterColumns: { name: string }[];
        }[];
      };
    };
    assert.equal(crd.spec.group, 'openstack.org');
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(crd.spec.names.shortNames, [short]);
    assert.equal(crd.spec.versions.length, 1);
    assert.equal(crd.spec.versions[0]!.name, 'v1');
    assert.equal(
      crd.spec.versions[0]!.subresources,
      undefined,
      `${name} must have no subresources`,
    );
    assert.deepEqual(
      crd.spec.versions[0]!.additionalPrinterColumns.map((c) => c.name),
      columns,
    );
  }
});

test('KuryrPort: valid object accepted; status written by JSON patch on the main resource, unknown VIF fields kept', async () => {
  const kp = await api.create(KINDS.kuryrPort, {
    apiVersion: 'openstack.org/v1',
    kind: 'KuryrPort',
    metadata: {
      name: 'p1',
      namespace: ns,
      labels: { [LABEL_KURYRPORT_NODE]: 'kk-node-1' },
      finalizers: [FINALIZER_KURYRPORT],
    },
    spec: { podUid: 'uid-1', podNodeName: 'kk-node-1', podStatic: false },
  });
  const vif = {
    'versioned_object.name': 'VIFOpenVSwitch',
    'versioned_object.data': { id: 'x', extra: { deep: 1 } },
  };
  const patched = await api.patchJson(KINDS.kuryrPort, 'p1', ns, [
    { op: 'add', path: '/status', value: { vifs: { eth0: { default: true, vif } } } },
  ]);
  assert.notEqual(patched.metadata?.resourceVersion, kp.metadata?.resourceVersion);
  const back = await api.get(KINDS.kuryrPort, 'p1', ns);
  assert.deepEqual(back.status?.vifs.eth0?.vif, vif);
  assert.deepEqual(back.metadata?.finalizers, [FINALIZER_KURYRPORT]);
  await api.patchJson(KINDS.kuryrPort, 'p1', ns, [{ op: 'remove', path: '/metadata/finalizers' }]);
});

test('invalid objects are rejected with 422 → ValidationError', async () => {
  const bad: [keyof typeof KINDS, Record<string, unknown>][] = [
    ['kuryrPort', { spec: { podUid: 'u' } }], // podNodeName required
    ['kuryrPort', { spec: { podUid: 'u', podNodeName: 'n' }, status: {} }], // status.vifs required
    ['kuryrPort', { spec: { podUid: 'u', podNodeName: 'n', podStatic: 'yes' } }], // wrong type
    ['kuryrNetwork', { spec: { nsName: 'a', projectId: 'p' } }], // nsLabels required
    [
      'kuryrNetworkPolicy',
      { spec: { ingressSgRules: [], egressSgRules: [], podSelector: {}, policyTypes: [] } },
    ], // status required
    ['kuryrLoadBalancer', { spec: { ports: [{ port: 80, protocol: 'TCP' }] } }], // targetPort required
    ['kuryrLoadBalancer', { spec: {}, status: { loadbalancer: { id: 'x' } } }], // loadbalancer fields required
  ];
  let i = 0;
  for (const [kind, body] of bad) {
    const k = KINDS[kind];
    await assert.rejects(
      api.create(k, {
        apiVersion: 'openstack.org/v1',
        kind: k.kind,
        metadata: { name: `bad-${i++}`, namespace: ns },
        ...body,
      }),
      (e: Error) => isValidationError(e) && /422|Invalid|Required|must/.test(e.message),
      `${kind} ${JSON.stringify(body)}`,
    );
  }
  assert.equal(
    (await api.list(KINDS.kuryrPort, { namespace: ns })).items.filter((o) =>
      o.metadata?.name?.startsWith('bad-'),
    ).length,
    0,
  );
});

test('KuryrNetwork, KuryrNetworkPolicy and KuryrLoadBalancer accept full objects', async () => {
  await api.create(KINDS.kuryrNetwork, {
    apiVersion: 'openstack.org/v1',
    kind: 'KuryrNetwork',
    metadata: { name: ns, namespace: ns },
    spec: { nsName: ns, projectId: 'p', nsLabels: { a: 'b' } },
    status: {
      netId: 'n',
      subnetId: 's',
      subnetCIDR: '10.0.0.0/24',
      routerId: 'r',
      populated: true,
      nsLabels: {},
    },
  });
  await api.create(KINDS.kuryrNetworkPolicy, {
    apiVersion: 'openstack.org/v1',
    kind: 'KuryrNetworkPolicy',
    metadata: { name: 'np', namespace: ns },
    spec: {
      ingressSgRules: [
        {
          sgRule: {
            direction: 'ingress',
            ethertype: 'IPv4',
            port_range_min: 80,
            port_range_max: 80,
            protocol: 'tcp',
          },
          namespace: ns,
          affectedPods: [{ podIP: '10.0.0.5', podNamespace: ns }],
        },
      ],
      egressSgRules: [],
      podSelector: { matchLabels: { app: 'x' } },
      policyTypes: ['Ingress'],
    },
    status: {
      securityGroupId: 'sg',
      securityGroupRules: [{ id: 'r1', direction: 'egress', security_group_id: 'sg' }],
      podSelector: {},
    },
  });
  const klb = await api.create(KINDS.kuryrLoadBalancer, {
    apiVersion: 'openstack.org/v1',
    kind: 'KuryrLoadBalancer',
    metadata: { name: 'svc', namespace: ns },
    spec: {
      ip: '10.0.0.10',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }],
      project_id: 'p',
      security_groups_ids: ['sg'],
      subnet_id: 's',
      type: 'ClusterIP',
      provider: 'amphora',
      timeout_client_data: 0,
      endpointSlices: [
        {
          endpoints: [
            {
              addresses: ['10.0.0.5'],
              conditions: { ready: true },
              targetRef: { kind: 'Pod', name: 'p', namespace: ns, uid: 'u' },
            },
          ],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    },
  });
  assert.equal(klb.spec.endpointSlices?.[0]?.endpoints?.[0]?.targetRef?.name, 'p');
});
